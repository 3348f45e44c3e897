<?php

declare(strict_types=1);

/**
 * Front controller of the loris-ephys-api proxy: GET <LORIS>/ephys-proxy.php/ephys/... is forwarded to the
 * service with a one-minute LORIS token of the logged-in user (see lib/EphysProxy.php).
 *
 * Configuration (environment, e.g. Apache `SetEnv` or php-fpm `env[...]`):
 *   LORIS_EPHYS_URL            service base URL (default http://127.0.0.1:8000; http only to loopback)
 *   LORIS_EPHYS_JWT_KEY / LORIS_EPHYS_JWT_KEY_FILE / LORIS_CONFIG_XML   where the JWTKey comes from
 *   LORIS_EPHYS_PROXY_IDENTITY PHP file returning a callable(): ?string giving the logged-in login name
 *                              (default identity/loris-session.php: LORIS's own session)
 */

$home = is_file(__DIR__ . '/../lib/EphysProxy.php')
    ? dirname(__DIR__)                       // running from the repository (deploy/loris/htdocs)
    : __DIR__ . '/../project/ephys-proxy';   // installed: LORIS htdocs/ + project/ephys-proxy/
require_once $home . '/lib/EphysProxy.php';

/** LORIS_* settings from the process environment and the web server's per-request variables. */
$env = array_filter(
    getenv() + $_SERVER,
    static fn ($value, $name): bool => is_string($value) && str_starts_with((string) $name, 'LORIS_'),
    ARRAY_FILTER_USE_BOTH
);

$identityFile = $env['LORIS_EPHYS_PROXY_IDENTITY'] ?? $home . '/identity/loris-session.php';
$whoIsLoggedIn = require $identityFile;

/** The part of the URL after this script: PATH_INFO, or the request path without the script name. */
$path = $_SERVER['PATH_INFO'] ?? '';
if ($path === '') {
    $requestPath = (string) parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH);
    $script = $_SERVER['SCRIPT_NAME'] ?? '';
    $path = ($script !== '' && str_starts_with($requestPath, $script)) ? substr($requestPath, strlen($script)) : $requestPath;
}

\LorisEphys\Proxy\handle(
    $_SERVER['REQUEST_METHOD'] ?? 'GET',
    $path,
    (string) ($_SERVER['QUERY_STRING'] ?? ''),
    $_SERVER,
    $env,
    $whoIsLoggedIn
);
