<?php

declare(strict_types=1);

/**
 * A drop-in of LORIS's `imaging_gateway` module for LORIS releases without it (PHP 8, no dependencies).
 *
 * `<LORIS>/imaging_gateway/<path>?<query>` is forwarded to `<upstream><path>?<query>` for a logged-in user who
 * passes both allow-lists (path patterns and permissions, read from LORIS's Config table under the module's
 * setting names), with `Authorization: Bearer <token>` minted as LORIS's Login::getEncodedToken does. Bodies
 * are streamed both ways; only connecting has a timeout.
 *
 * Used by two entry points: htdocs/imaging_gateway.php (plain front controller) and
 * modules/imaging_gateway (a LORIS module).
 */

namespace LorisEphys\ImagingGateway;

const DEFAULT_CONNECT_TIMEOUT_SECONDS = 5.0;
const TOKEN_LIFETIME_SECONDS = 86400;
const MIN_JWT_KEY_LENGTH = 20;
const MIN_KEY_CHARACTER_CLASSES = 3;
const MAX_ECHOED_CHARS = 200;
const MAX_RESPONSE_HEAD_BYTES = 65536;
const CHUNK_BYTES = 65536;

const NOT_FOUND = 'The requested resource was not found.';
const UNAUTHENTICATED = 'Authentication is required.';
const CONFIGURATION_ERROR = 'The Imaging Gateway is not configured correctly.';
const TOKEN_ERROR = 'Unable to authenticate with the imaging service.';
const UPSTREAM_ERROR = 'Unable to contact the internal imaging service.';

/** Connection-scoped headers (RFC 9110 §7.6.1) that never cross the gateway. */
const HOP_BY_HOP = [
    'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer',
    'transfer-encoding', 'upgrade',
];

/** Request headers replaced by the gateway's own (credentials, routing and what it forwards itself). */
const DROPPED_REQUEST_HEADERS = [
    'authorization', 'cookie', 'host', 'content-length', 'expect', 'forwarded',
];

/** The setting names, shared with LORIS's module. */
const SETTING_NAMES = [
    'imaging_gateway_upstream_url',
    'imaging_gateway_connect_timeout_seconds',
    'imaging_gateway_hide_error_bodies',
    'imaging_gateway_allowed_paths',
    'imaging_gateway_required_permissions',
];
const MULTI_VALUED_SETTINGS = ['imaging_gateway_allowed_paths', 'imaging_gateway_required_permissions'];

/** An answer the gateway gives itself: `{"error": message}` with a status. */
final class GatewayError extends \RuntimeException
{
    public function __construct(public readonly int $status, string $message, public readonly string $detail = '')
    {
        parent::__construct($message);
    }
}

/** The validated gateway configuration. */
final class Settings
{
    /**
     * @param string[] $allowedPaths
     * @param string[] $requiredPermissions
     */
    public function __construct(
        public readonly string $upstreamUrl,
        public readonly float $connectTimeout,
        public readonly bool $hideErrorBodies,
        public readonly array $allowedPaths,
        public readonly array $requiredPermissions,
    ) {
    }
}

/** The public side of one request: what the browser asked for and where the gateway lives. */
final class PublicRequest
{
    /** @param array<string, string[]> $headers lower-case names */
    public function __construct(
        public readonly string $method,
        public readonly string $scheme,
        public readonly string $authority,
        public readonly string $gatewayPath,
        public readonly string $routePath,
        public readonly string $query,
        public readonly array $headers,
        public readonly string $remoteAddress,
    ) {
    }
}

/** The upstream's answer, before its body is read. */
final class UpstreamResponse
{
    /**
     * @param array<string, string[]> $headers lower-case names
     * @param resource|null $body null when there is no body to send
     */
    public function __construct(
        public readonly int $status,
        public readonly array $headers,
        public readonly mixed $body,
    ) {
    }
}

/** `$value` cut to MAX_ECHOED_CHARS characters, for messages that quote configuration or input. */
function capped(string $value): string
{
    if (strlen($value) <= MAX_ECHOED_CHARS) {
        return $value;
    }
    $keep = MAX_ECHOED_CHARS - 1; // room for the ellipsis; UTF-8 characters are kept whole when valid
    return (preg_match('/^.{0,' . $keep . '}/su', $value, $m) === 1 ? $m[0] : substr($value, 0, $keep)) . '…';
}

function configurationError(string $detail): GatewayError
{
    return new GatewayError(500, CONFIGURATION_ERROR, $detail);
}

/**
 * Validates the raw settings as LORIS's Config returns them (string|null, or string[] for the lists).
 * An unset timeout or hide flag takes its default; a missing upstream or a malformed value is a 500.
 *
 * @param array<string, mixed> $raw
 */
function settingsFrom(array $raw): Settings
{
    $upstream = trim(is_string($raw['imaging_gateway_upstream_url'] ?? null) ? $raw['imaging_gateway_upstream_url'] : '');
    $parts = parse_url($upstream);
    if ($upstream === '' || $parts === false || !in_array(strtolower($parts['scheme'] ?? ''), ['http', 'https'], true)
        || ($parts['host'] ?? '') === ''
    ) {
        throw configurationError('imaging_gateway_upstream_url must be an HTTP(S) URL with a host: ' . capped($upstream));
    }
    $timeout = $raw['imaging_gateway_connect_timeout_seconds'] ?? null;
    $timeout = ($timeout === null || $timeout === '') ? DEFAULT_CONNECT_TIMEOUT_SECONDS : $timeout;
    if (!is_numeric($timeout) || (float) $timeout <= 0) {
        throw configurationError('imaging_gateway_connect_timeout_seconds must be positive: ' . capped((string) $timeout));
    }
    $hide = $raw['imaging_gateway_hide_error_bodies'] ?? null;
    $hide = ($hide === null || $hide === '') ? 'true' : $hide;
    if (!in_array($hide, ['true', 'false'], true)) {
        throw configurationError('imaging_gateway_hide_error_bodies must be true or false: ' . capped((string) $hide));
    }
    return new Settings(
        $upstream,
        (float) $timeout,
        $hide === 'true',
        listSetting($raw, 'imaging_gateway_allowed_paths'),
        listSetting($raw, 'imaging_gateway_required_permissions'),
    );
}

/** @return string[] the non-blank values of a multi-valued setting (missing → 500, none → empty list) */
function listSetting(array $raw, string $name): array
{
    $values = $raw[$name] ?? null;
    if (!is_array($values)) {
        throw configurationError("$name must be a multi-valued setting");
    }
    $kept = [];
    foreach ($values as $value) {
        if (!is_string($value)) {
            throw configurationError("$name values must be strings");
        }
        if (trim($value) !== '') {
            $kept[] = trim($value);
        }
    }
    return $kept;
}

/**
 * Whether a pattern matches the whole gateway-relative path (leading '/' included, query excluded). Patterns
 * are PCRE delimited by `~`, so a literal `~` must be escaped; a broken pattern is a 500.
 *
 * @param string[] $patterns
 */
function pathAllowed(string $routePath, array $patterns): bool
{
    $allowed = false;
    foreach ($patterns as $pattern) {
        $result = @preg_match('~^(?:' . $pattern . ')$~D', $routePath);
        if ($result === false) {
            throw configurationError('Invalid imaging_gateway_allowed_paths pattern: ' . capped($pattern));
        }
        $allowed = $allowed || $result === 1;
    }
    return $allowed;
}

/**
 * Whether the user holds at least one required permission (`superuser` counts as every permission, as in
 * LORIS's User::hasPermission). Empty list → false (fail closed).
 *
 * @param string[] $required
 */
function permissionAllowed(callable $hasPermission, array $required): bool
{
    foreach ($required as $permission) {
        if ($hasPermission($permission)) {
            return true;
        }
    }
    return false;
}

/** A path with a `.` or `..` segment (also percent-encoded) could escape what the patterns allow upstream. */
function hasDotSegment(string $routePath): bool
{
    foreach (explode('/', $routePath) as $segment) {
        if (in_array(rawurldecode($segment), ['.', '..'], true)) {
            return true;
        }
    }
    return false;
}

/** LORIS's JWT key strength rule (api module, Login::isKeyStrong). */
function isKeyStrong(string $key): bool
{
    if (strlen($key) < MIN_JWT_KEY_LENGTH
        || preg_match('/[^A-Za-z]/', $key) !== 1
        || preg_match('/[^0-9]/', $key) !== 1
    ) {
        return false;
    }
    $classes = preg_match('/[0-9]/', $key) + preg_match('/[A-Za-z]/', $key)
        + preg_match('/[!\\\\$^@#%&*()]/', $key);
    return $classes >= MIN_KEY_CHARACTER_CLASSES;
}

function base64url(string $bytes): string
{
    return rtrim(strtr(base64_encode($bytes), '+/', '-_'), '=');
}

/**
 * A token as LORIS's Login::getEncodedToken mints it: HS256 with the JWTKey, iss = aud = base URL,
 * iat = nbf = now, exp = now + 24 h, user = login name. A weak key → 500 (LORIS returns '' and its module 500s).
 */
function encodeToken(string $username, string $key, string $baseUrl, int $now): string
{
    if (!isKeyStrong($key)) {
        throw new GatewayError(500, TOKEN_ERROR, 'JWTKey is missing or weak (see Login::isKeyStrong)');
    }
    $header = ['typ' => 'JWT', 'alg' => 'HS256'];
    $claims = [
        'iss' => $baseUrl,
        'aud' => $baseUrl,
        'iat' => $now,
        'nbf' => $now,
        'exp' => $now + TOKEN_LIFETIME_SECONDS,
        'user' => $username,
    ];
    $flags = JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE;
    $signingInput = base64url(json_encode($header, $flags)) . '.' . base64url(json_encode($claims, $flags));
    return $signingInput . '.' . base64url(hash_hmac('sha256', $signingInput, $key, true));
}

/** Lower-case names listed in a Connection header: hop-by-hop for this message only. */
function connectionListed(array $headers): array
{
    $names = [];
    foreach ($headers['connection'] ?? [] as $line) {
        foreach (explode(',', $line) as $name) {
            if (trim($name) !== '') {
                $names[] = strtolower(trim($name));
            }
        }
    }
    return $names;
}

/**
 * The headers sent upstream: the browser's, minus hop-by-hop, credentials, Host and X-Forwarded-*, plus the
 * token and the gateway's own X-Forwarded-For/-Host/-Proto/-Prefix.
 *
 * @return array<string, string[]>
 */
function upstreamRequestHeaders(PublicRequest $request, string $token): array
{
    $dropped = array_merge(HOP_BY_HOP, DROPPED_REQUEST_HEADERS, connectionListed($request->headers));
    $headers = [];
    foreach ($request->headers as $name => $values) {
        if (!in_array($name, $dropped, true) && !str_starts_with($name, 'x-forwarded-')) {
            $headers[$name] = $values;
        }
    }
    $headers['authorization'] = ["Bearer $token"];
    if ($request->remoteAddress !== '') {
        $headers['x-forwarded-for'] = [$request->remoteAddress];
    }
    if ($request->authority !== '') {
        $headers['x-forwarded-host'] = [$request->authority];
    }
    $headers['x-forwarded-proto'] = [$request->scheme];
    $headers['x-forwarded-prefix'] = [$request->gatewayPath];
    return $headers;
}

/**
 * The headers the browser gets: the upstream's minus hop-by-hop and Set-Cookie; a Location on the upstream's
 * origin or root-relative is moved under the public gateway path; an error with hidden bodies loses the
 * headers describing the body.
 *
 * @return array<string, string[]>
 */
function publicResponseHeaders(UpstreamResponse $response, PublicRequest $request, Settings $settings): array
{
    $dropped = array_merge(HOP_BY_HOP, ['set-cookie'], connectionListed($response->headers));
    if (bodyHidden($response->status, $settings)) {
        $dropped = array_merge($dropped, ['content-type', 'content-length', 'content-encoding']);
    }
    $headers = array_diff_key($response->headers, array_flip($dropped));
    if (isset($headers['location'][0])) {
        $headers['location'] = [publicLocation($headers['location'][0], $request, $settings->upstreamUrl)];
    }
    return $headers;
}

function bodyHidden(int $status, Settings $settings): bool
{
    return $settings->hideErrorBodies && $status >= 400;
}

/** A Location under the public gateway path when it points at the upstream's origin or is root-relative. */
function publicLocation(string $location, PublicRequest $request, string $upstreamUrl): string
{
    $target = parse_url($location);
    if ($target === false) {
        return $location;
    }
    if (isset($target['host'])) {
        if (origin($target) !== origin((array) parse_url($upstreamUrl))) {
            return $location;
        }
    } elseif (!str_starts_with($target['path'] ?? '', '/') || str_starts_with($location, '//')) {
        return $location;
    }
    $upstreamPath = rtrim((string) (parse_url($upstreamUrl, PHP_URL_PATH) ?? ''), '/');
    $path = $target['path'] ?? '/';
    if ($upstreamPath !== '' && str_starts_with($path, $upstreamPath . '/')) {
        $path = substr($path, strlen($upstreamPath));
    }
    $public = $request->scheme . '://' . $request->authority . rtrim($request->gatewayPath, '/') . '/' . ltrim($path, '/');
    return $public . (isset($target['query']) ? '?' . $target['query'] : '')
        . (isset($target['fragment']) ? '#' . $target['fragment'] : '');
}

/** scheme://host:port of parse_url() parts, default ports made explicit. */
function origin(array $parts): string
{
    $scheme = strtolower($parts['scheme'] ?? '');
    $port = $parts['port'] ?? ($scheme === 'https' ? 443 : 80);
    return $scheme . '://' . strtolower($parts['host'] ?? '') . ':' . $port;
}

/** `<upstream base path><route path>?<query>` as the request target sent upstream. */
function upstreamTarget(string $upstreamUrl, string $routePath, string $query): string
{
    $basePath = rtrim((string) (parse_url($upstreamUrl, PHP_URL_PATH) ?? ''), '/');
    return $basePath . '/' . ltrim($routePath, '/') . ($query === '' ? '' : "?$query");
}

/**
 * Connects to the upstream (the only timeout), sends the request head and streams `$body` (php://input) after it,
 * then reads the answer's head. The body is left to read from the returned stream. Unreachable → 502.
 *
 * @param resource|null $body
 */
function sendUpstream(Settings $settings, PublicRequest $request, string $token, mixed $body): UpstreamResponse
{
    $socket = connectUpstream($settings);
    $headers = upstreamRequestHeaders($request, $token);
    $length = $request->headers['content-length'][0] ?? null;
    $chunked = in_array('chunked', array_map('strtolower', array_map('trim', explode(',', implode(',', $request->headers['transfer-encoding'] ?? [])))), true);
    $parts = parse_url($settings->upstreamUrl);
    $head = sprintf("%s %s HTTP/1.1\r\n", $request->method, upstreamTarget($settings->upstreamUrl, $request->routePath, $request->query))
        . 'Host: ' . $parts['host'] . (isset($parts['port']) ? ':' . $parts['port'] : '') . "\r\n"
        . "Connection: close\r\n";
    if ($length !== null && ctype_digit($length)) {
        $head .= "Content-Length: $length\r\n";
    } elseif ($chunked) {
        $head .= "Transfer-Encoding: chunked\r\n";
    }
    foreach ($headers as $name => $values) {
        foreach ($values as $value) {
            $head .= headerName($name) . ': ' . str_replace(["\r", "\n"], ' ', $value) . "\r\n";
        }
    }
    writeAll($socket, $head . "\r\n");
    if ($body !== null && $length !== null && ctype_digit($length) && $length !== '0') {
        copyBody($body, $socket, false);
    } elseif ($body !== null && $chunked) {
        copyBody($body, $socket, true);
    }
    return readResponseHead($socket, $request->method);
}

/** @return resource */
function connectUpstream(Settings $settings): mixed
{
    $parts = parse_url($settings->upstreamUrl);
    $secure = strtolower($parts['scheme']) === 'https';
    $host = $parts['host'];
    $port = $parts['port'] ?? ($secure ? 443 : 80);
    $context = stream_context_create(['ssl' => ['peer_name' => trim($host, '[]'), 'verify_peer' => true]]);
    $socket = @stream_socket_client(
        ($secure ? 'tls://' : 'tcp://') . "$host:$port",
        $errorNumber,
        $errorText,
        $settings->connectTimeout,
        STREAM_CLIENT_CONNECT,
        $context,
    );
    if ($socket === false) {
        throw new GatewayError(502, UPSTREAM_ERROR, capped("connect to $host:$port failed: $errorText"));
    }
    stream_set_timeout($socket, -1); // no read timeout once connected: long downloads and uploads must finish
    return $socket;
}

/** `content-type` → `Content-Type`. */
function headerName(string $lower): string
{
    return implode('-', array_map('ucfirst', explode('-', $lower)));
}

/** @param resource $socket */
function writeAll(mixed $socket, string $bytes): void
{
    while ($bytes !== '') {
        $written = @fwrite($socket, $bytes);
        if ($written === false || $written === 0) {
            throw new GatewayError(502, UPSTREAM_ERROR, 'the upstream closed the connection while receiving');
        }
        $bytes = substr($bytes, $written);
    }
}

/**
 * Copies the request body upstream as it arrives, re-chunked when its length was not known.
 *
 * @param resource $from
 * @param resource $to
 */
function copyBody(mixed $from, mixed $to, bool $chunked): void
{
    while (!feof($from)) {
        $chunk = fread($from, CHUNK_BYTES);
        if ($chunk === false) {
            break;
        }
        if ($chunk !== '') {
            writeAll($to, $chunked ? sprintf("%x\r\n%s\r\n", strlen($chunk), $chunk) : $chunk);
        }
    }
    if ($chunked) {
        writeAll($to, "0\r\n\r\n");
    }
}

/**
 * Reads the status line and headers of the final answer (interim 1xx answers are skipped) and prepares the body
 * stream: de-chunked when needed, none for HEAD, 1xx, 204 and 304.
 *
 * @param resource $socket
 */
function readResponseHead(mixed $socket, string $method): UpstreamResponse
{
    do {
        [$status, $headers] = readOneHead($socket);
    } while ($status >= 100 && $status < 200);
    $transferEncoding = strtolower(implode(',', $headers['transfer-encoding'] ?? []));
    if ($method === 'HEAD' || $status === 204 || $status === 304) {
        fclose($socket);
        return new UpstreamResponse($status, $headers, null);
    }
    if (str_contains($transferEncoding, 'chunked')) {
        stream_filter_append($socket, 'dechunk', STREAM_FILTER_READ);
    }
    return new UpstreamResponse($status, $headers, $socket);
}

/**
 * @param resource $socket
 * @return array{0: int, 1: array<string, string[]>}
 */
function readOneHead(mixed $socket): array
{
    $statusLine = fgets($socket, MAX_RESPONSE_HEAD_BYTES);
    if ($statusLine === false || preg_match('#^HTTP/1\.[01] (\d{3})#', $statusLine, $m) !== 1) {
        throw new GatewayError(502, UPSTREAM_ERROR, 'no HTTP answer from the upstream');
    }
    $headers = [];
    $size = strlen($statusLine);
    while (($line = fgets($socket, MAX_RESPONSE_HEAD_BYTES)) !== false) {
        $size += strlen($line);
        $line = rtrim($line, "\r\n");
        if ($line === '') {
            return [(int) $m[1], $headers];
        }
        if ($size > MAX_RESPONSE_HEAD_BYTES || !str_contains($line, ':')) {
            break;
        }
        [$name, $value] = explode(':', $line, 2);
        $headers[strtolower(trim($name))][] = trim($value);
    }
    throw new GatewayError(502, UPSTREAM_ERROR, 'malformed or oversized answer head from the upstream');
}

/** The headers of the current PHP request, lower-case names. */
function currentRequestHeaders(array $server): array
{
    $headers = [];
    foreach ($server as $name => $value) {
        if (is_string($value) && str_starts_with((string) $name, 'HTTP_')) {
            $headers[strtolower(str_replace('_', '-', substr((string) $name, 5)))] = [$value];
        }
    }
    foreach (['CONTENT_TYPE' => 'content-type', 'CONTENT_LENGTH' => 'content-length'] as $key => $name) {
        if (is_string($server[$key] ?? null) && $server[$key] !== '') {
            $headers[$name] = [$server[$key]];
        }
    }
    return $headers;
}

/**
 * The whole exchange for one request of the front controller. `$settings` and `$hasPermission` are read lazily
 * so a refused request costs no more than it must; the order of checks is LORIS's module's.
 *
 * @param callable(): array<string, mixed> $rawSettings
 * @param callable(string): bool $hasPermission
 * @param callable(): string $jwtKey
 */
function handle(
    PublicRequest $request,
    ?string $username,
    callable $rawSettings,
    callable $hasPermission,
    callable $jwtKey,
    string $baseUrl,
    mixed $body,
): void {
    try {
        if ($username === null || $username === '') {
            throw new GatewayError(401, UNAUTHENTICATED);
        }
        $settings = settingsFrom($rawSettings());
        if (hasDotSegment($request->routePath)
            || !pathAllowed($request->routePath, $settings->allowedPaths)
            || !permissionAllowed($hasPermission, $settings->requiredPermissions)
        ) {
            throw new GatewayError(404, NOT_FOUND);
        }
        $token = encodeToken($username, $jwtKey(), $baseUrl, time());
        $response = sendUpstream($settings, $request, $token, $body);
        emitUpstream($response, publicResponseHeaders($response, $request, $settings), bodyHidden($response->status, $settings));
    } catch (GatewayError $error) {
        emitError($error);
    } catch (\PDOException $error) {
        emitError(new GatewayError(500, CONFIGURATION_ERROR, 'LORIS database: ' . $error->getMessage()));
    }
}

/** Sends a gateway error as `{"error": message}`; the detail goes to the PHP error log only. */
function emitError(GatewayError $error): void
{
    if ($error->detail !== '') {
        error_log('imaging_gateway: ' . capped($error->detail));
    }
    http_response_code($error->status);
    header('Content-Type: application/json');
    header('Cache-Control: no-store');
    echo json_encode(['error' => $error->getMessage()], JSON_UNESCAPED_SLASHES);
}

/**
 * Sends the upstream's answer: status, headers, then the body in bounded chunks as it arrives (nothing when
 * hidden). PHP's own default headers are removed first.
 *
 * @param array<string, string[]> $headers
 */
function emitUpstream(UpstreamResponse $response, array $headers, bool $hideBody): void
{
    foreach (['X-Powered-By', 'Cache-Control', 'Pragma', 'Expires', 'Content-Type'] as $phpDefault) {
        header_remove($phpDefault);
    }
    ini_set('default_mimetype', ''); // only the upstream's Content-Type, none for an emptied error body
    http_response_code($response->status);
    foreach ($headers as $name => $values) {
        foreach ($values as $value) {
            header(headerName($name) . ': ' . $value, false);
        }
    }
    if ($response->body === null) {
        return;
    }
    if (!$hideBody) {
        while (ob_get_level() > 0) {
            ob_end_flush();
        }
        while (!feof($response->body) && !connection_aborted()) {
            $chunk = fread($response->body, CHUNK_BYTES);
            if ($chunk === false) {
                break;
            }
            echo $chunk;
            flush();
        }
    }
    fclose($response->body);
}
