<?php

declare(strict_types=1);

/**
 * Front controller of the imaging gateway for LORIS installs that cannot take the module
 * (modules/imaging_gateway): `<LORIS>/imaging_gateway/<path>?<query>` (with a rewrite to this script, see
 * deploy/loris/README.md) or `<LORIS>/imaging_gateway.php/<path>?<query>` is forwarded to
 * `<imaging_gateway_upstream_url><path>?<query>`. Settings, JWTKey and permissions come from LORIS's database.
 *
 * Environment (Apache `SetEnv`, php-fpm `env[...]`):
 *   LORIS_CONFIG_XML                 LORIS's config.xml (default ../project/config.xml)
 *   LORIS_IMAGING_GATEWAY_IDENTITY   PHP file returning a callable(): ?string giving the logged-in login name
 *                                    (default identity/loris-session.php: LORIS's own session)
 */

use LorisEphys\ImagingGateway as G;
use LorisEphys\LorisDatabase as Db;

$home = is_file(__DIR__ . '/../lib/ImagingGateway.php')
    ? dirname(__DIR__)                          // running from the repository (deploy/loris/htdocs)
    : __DIR__ . '/../project/imaging_gateway';  // installed: LORIS htdocs/ + project/imaging_gateway/
require_once $home . '/lib/ImagingGateway.php';
require_once $home . '/lib/LorisDatabase.php';

/** A setting from the process environment or the web server's per-request variables. */
function gatewayEnv(string $name, string $default): string
{
    $value = $_SERVER[$name] ?? getenv($name);
    return is_string($value) && $value !== '' ? $value : $default;
}

/**
 * [gateway path, route path] of this request: the public path the gateway occupies (e.g.
 * /loris/imaging_gateway) and the rest, with its leading '/'. Null when the URL is not below the gateway.
 *
 * @return array{0: string, 1: string}|null
 */
function gatewayRoute(string $requestPath, string $scriptName): ?array
{
    $candidates = [$scriptName, rtrim(dirname($scriptName), '/') . '/imaging_gateway'];
    foreach ($candidates as $gatewayPath) {
        if ($requestPath === $gatewayPath || str_starts_with($requestPath, $gatewayPath . '/')) {
            $route = substr($requestPath, strlen($gatewayPath));
            return [$gatewayPath, $route === '' ? '/' : $route];
        }
    }
    return null;
}

set_time_limit(0); // bodies stream for as long as they need; only connecting upstream has a timeout
ini_set('zlib.output_compression', '0');

$requestPath = (string) parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH);
$route = gatewayRoute($requestPath, (string) ($_SERVER['SCRIPT_NAME'] ?? ''));
if ($route === null) {
    G\emitError(new G\GatewayError(404, G\NOT_FOUND));
    return;
}
[$gatewayPath, $routePath] = $route;

$whoIsLoggedIn = require gatewayEnv('LORIS_IMAGING_GATEWAY_IDENTITY', $home . '/identity/loris-session.php');
$username = $whoIsLoggedIn();
if (session_status() === PHP_SESSION_ACTIVE) {
    session_write_close(); // a long transfer must not hold the user's session lock
}

$secure = !empty($_SERVER['HTTPS']) && strtolower((string) $_SERVER['HTTPS']) !== 'off';
$request = new G\PublicRequest(
    method: (string) ($_SERVER['REQUEST_METHOD'] ?? 'GET'),
    scheme: $secure ? 'https' : 'http',
    authority: (string) ($_SERVER['HTTP_HOST'] ?? ''),
    gatewayPath: $gatewayPath,
    routePath: $routePath,
    query: (string) ($_SERVER['QUERY_STRING'] ?? ''),
    headers: G\currentRequestHeaders($_SERVER),
    remoteAddress: (string) ($_SERVER['REMOTE_ADDR'] ?? ''),
);
// LORIS's base URL as its router derives it: the request's origin and the path LORIS is installed under.
$baseUrl = $request->scheme . '://' . $request->authority . substr($gatewayPath, 0, (int) strrpos($gatewayPath, '/'));

$configXml = gatewayEnv('LORIS_CONFIG_XML', $home . '/../config.xml');
$pdo = null;
$database = static function () use (&$pdo, $configXml): \PDO {
    return $pdo ??= Db\connect($configXml);
};

G\handle(
    $request,
    is_string($username) ? $username : null,
    static fn (): array => Db\configSettings($database(), G\SETTING_NAMES),
    static fn (string $code): bool => Db\userHasPermission($database(), (string) $username, $code),
    static fn (): string => (string) (Db\configSettings($database(), ['JWTKey'])['JWTKey'] ?? ''),
    $baseUrl,
    fopen('php://input', 'rb'),
);
