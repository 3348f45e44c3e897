<?php

declare(strict_types=1);

/**
 * The LORIS-side proxy of loris-ephys-api, framework-free (PHP 8, no composer dependency).
 *
 * A browser logged in to LORIS asks `GET <proxy>/ephys/...`; the proxy checks that a LORIS user is logged in,
 * mints a LORIS API token for that user (HS256 with the JWTKey, claim `user` = login name, valid one minute),
 * forwards the request to the service on loopback and streams the answer back with its status, content type
 * and caching headers (ETag, Cache-Control; If-None-Match is passed through so 304s work).
 *
 * Used by two entry points: htdocs/ephys-proxy.php (a plain PHP front controller with a pluggable
 * "who is logged in" resolver) and modules/ephys_proxy (a LORIS module using the request's `user` attribute).
 */

namespace LorisEphys\Proxy;

const TOKEN_LIFETIME_SECONDS = 60;
const MAX_PATH_LENGTH = 512;
const MAX_QUERY_LENGTH = 4096;
const MAX_HEADER_VALUE_LENGTH = 1024;
const UPSTREAM_TIMEOUT_SECONDS = 35; // above the service's 29 s Lambda/API timeout
const CHUNK_BYTES = 65536;
const MIN_JWT_KEY_LENGTH = 20;

/** Response headers copied from the service to the browser (lower case). */
const PASSED_RESPONSE_HEADERS = [
    'content-type', 'content-length', 'etag', 'cache-control', 'last-modified', 'vary', 'retry-after',
];

/** A failure the proxy answers itself, as `{"error":{"code","message"}}` like the service does. */
final class ProxyError extends \RuntimeException
{
    public function __construct(public readonly int $status, public readonly string $errorCode, string $message)
    {
        parent::__construct($message);
    }
}

/**
 * The service path and query of a request, validated: only `/ephys` and below, plain segments (letters,
 * digits, `.`, `_`, `-`, never starting with a dot, so no `..`), no percent-encoding in the path, and a query
 * made of URL-safe characters with well-formed escapes. Returns "/ephys/...?query".
 */
function validatedTarget(string $path, string $query): string
{
    $segment = '[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}';
    if (strlen($path) > MAX_PATH_LENGTH || preg_match("#^/ephys(?:/$segment){0,6}$#D", $path) !== 1) {
        throw new ProxyError(404, 'not_proxied', 'Only GET /ephys/... is forwarded.');
    }
    if (strlen($query) > MAX_QUERY_LENGTH
        || preg_match('#^(?:[A-Za-z0-9._~!$\'()*+,;=:@/?&-]|%[0-9A-Fa-f]{2})*$#D', $query) !== 1
    ) {
        throw new ProxyError(400, 'invalid_query', 'The query string is not valid.');
    }
    return $query === '' ? $path : "$path?$query";
}

function base64url(string $bytes): string
{
    return rtrim(strtr(base64_encode($bytes), '+/', '-_'), '=');
}

/** LORIS's JWT key strength rule (modules/api/php/endpoints/login.class.inc `Login::isKeyStrong`). */
function isKeyStrong(string $key): bool
{
    if (strlen($key) < MIN_JWT_KEY_LENGTH) {
        return false;
    }
    if (preg_match('/[^A-Za-z]/', $key) !== 1 || preg_match('/[^0-9]/', $key) !== 1) {
        return false;
    }
    $classes = preg_match('/[0-9]/', $key) + preg_match('/[A-Za-z]/', $key)
        + preg_match('/[!\\\\$^@#%&*()]/', $key);
    return $classes >= 3;
}

/** A LORIS API token for `username`: HS256, iat = nbf = now, exp = now + 60 s, claim `user`. */
function mintToken(string $username, string $key, int $now, string $issuer = ''): string
{
    $header = ['typ' => 'JWT', 'alg' => 'HS256'];
    $claims = ['iat' => $now, 'nbf' => $now, 'exp' => $now + TOKEN_LIFETIME_SECONDS, 'user' => $username];
    if ($issuer !== '') {
        $claims = ['iss' => $issuer, 'aud' => $issuer] + $claims;
    }
    $signingInput = base64url(json_encode($header, JSON_THROW_ON_ERROR)) . '.'
        . base64url(json_encode($claims, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE));
    return $signingInput . '.' . base64url(hash_hmac('sha256', $signingInput, $key, true));
}

/** The service base URL: http only to a loopback host, https anywhere; no path, query or credentials. */
function serviceBaseUrl(string $url): string
{
    $parts = parse_url($url);
    $scheme = $parts['scheme'] ?? '';
    $host = $parts['host'] ?? '';
    $loopback = $host === 'localhost' || $host === '[::1]' || preg_match('/^127\.\d+\.\d+\.\d+$/D', $host) === 1;
    $plain = isset($parts['user']) || isset($parts['pass']) || isset($parts['query']) || isset($parts['fragment'])
        || (($parts['path'] ?? '/') !== '/' && ($parts['path'] ?? '') !== '');
    if ($plain || !($scheme === 'https' || ($scheme === 'http' && $loopback))) {
        throw new ProxyError(500, 'proxy_misconfigured', 'The service URL must be http://<loopback>:port or https://host.');
    }
    return rtrim($url, '/');
}

/**
 * The JWTKey, from the first source configured: LORIS_EPHYS_JWT_KEY (environment), LORIS_EPHYS_JWT_KEY_FILE
 * (a file readable by the web server only), or LORIS's database (Config/ConfigSettings, as LORIS reads it)
 * reached with the <database> section of LORIS's config.xml (LORIS_CONFIG_XML).
 */
function loadJwtKey(array $env): string
{
    $key = match (true) {
        ($env['LORIS_EPHYS_JWT_KEY'] ?? '') !== '' => $env['LORIS_EPHYS_JWT_KEY'],
        ($env['LORIS_EPHYS_JWT_KEY_FILE'] ?? '') !== '' => readKeyFile($env['LORIS_EPHYS_JWT_KEY_FILE']),
        ($env['LORIS_CONFIG_XML'] ?? '') !== '' => jwtKeyFromDatabase(databaseSettings($env['LORIS_CONFIG_XML'])),
        default => throw new ProxyError(500, 'proxy_misconfigured', 'No JWT key source is configured.'),
    };
    if (!isKeyStrong($key)) {
        throw new ProxyError(500, 'weak_jwt_key', 'The LORIS JWTKey is missing or too weak to sign tokens.');
    }
    return $key;
}

function readKeyFile(string $path): string
{
    $text = @file_get_contents($path, false, null, 0, 4096);
    if ($text === false) {
        throw new ProxyError(500, 'proxy_misconfigured', 'The JWT key file cannot be read.');
    }
    return trim($text);
}

/** host, port, user, password and database name from LORIS's config.xml <database> section. */
function databaseSettings(string $configXml): array
{
    $text = @file_get_contents($configXml, false, null, 0, 1 << 20);
    $db = $text === false ? [] : databaseSection($text);
    if (($db['database'] ?? '') === '') {
        throw new ProxyError(500, 'proxy_misconfigured', 'LORIS config.xml has no <database> section.');
    }
    [$host, $port] = array_pad(explode(':', $db['host'] ?? '', 2), 2, '3306');
    return [
        'host' => $host === '' ? '127.0.0.1' : $host,
        'port' => (int) $port,
        'user' => $db['username'] ?? '',
        'password' => $db['password'] ?? '',
        'database' => $db['database'],
    ];
}

/**
 * The text of <host>, <username>, <password> and <database> inside <config><database>. SimpleXML (php-xml,
 * which LORIS itself needs) when present; otherwise a plain scan of that flat section (entities decoded).
 */
function databaseSection(string $xmlText): array
{
    $fields = ['host', 'username', 'password', 'database'];
    if (function_exists('simplexml_load_string')) {
        $xml = @simplexml_load_string($xmlText, \SimpleXMLElement::class, LIBXML_NONET);
        $section = $xml === false ? null : $xml->database;
        return $section === null ? [] : array_combine($fields, array_map(fn ($f) => (string) $section->$f, $fields));
    }
    // The outer <database> holds elements and an inner <database>name</database>.
    if (preg_match('#<database>\s*(<.*?<database>[^<]*</database>.*?)</database>#s', $xmlText, $m) !== 1) {
        return [];
    }
    $values = [];
    foreach ($fields as $field) {
        $found = preg_match("#<$field>(?:<!\\[CDATA\\[(.*?)\\]\\]>|([^<]*))</$field>#s", $m[1], $v) === 1;
        $values[$field] = $found ? (($v[1] ?? '') !== '' ? $v[1] : html_entity_decode($v[2] ?? '', ENT_XML1 | ENT_QUOTES, 'UTF-8')) : '';
    }
    return $values;
}

const JWT_KEY_SQL = "SELECT c.Value FROM Config c JOIN ConfigSettings cs ON cs.ID = c.ConfigID WHERE cs.Name = 'JWTKey'";

/** Reads Config.Value of the JWTKey setting with PDO (pdo_mysql) or mysqli, whichever PHP has. */
function jwtKeyFromDatabase(array $db): string
{
    try {
        if (extension_loaded('pdo_mysql')) {
            $dsn = sprintf('mysql:host=%s;port=%d;dbname=%s;charset=utf8', $db['host'], $db['port'], $db['database']);
            $pdo = new \PDO($dsn, $db['user'], $db['password'], [\PDO::ATTR_ERRMODE => \PDO::ERRMODE_EXCEPTION, \PDO::ATTR_TIMEOUT => 5]);
            $value = $pdo->query(JWT_KEY_SQL)->fetchColumn();
        } elseif (extension_loaded('mysqli')) {
            mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
            $mysqli = new \mysqli($db['host'], $db['user'], $db['password'], $db['database'], $db['port']);
            $row = $mysqli->query(JWT_KEY_SQL)->fetch_row();
            $value = $row[0] ?? false;
        } else {
            throw new ProxyError(500, 'proxy_misconfigured', 'PHP has neither pdo_mysql nor mysqli (install php-mysql) to read the JWTKey.');
        }
    } catch (\PDOException | \mysqli_sql_exception $e) {
        error_log('ephys-proxy: cannot read JWTKey from the LORIS database: ' . $e->getMessage());
        throw new ProxyError(503, 'database_unavailable', 'The LORIS database cannot be reached.');
    }
    return is_string($value) ? $value : '';
}

/** One request header value if present and plain (no control characters, bounded). */
function plainHeader(?string $value): ?string
{
    if ($value === null || $value === '' || strlen($value) > MAX_HEADER_VALUE_LENGTH) {
        return null;
    }
    return preg_match('/[\x00-\x1f\x7f]/', $value) === 1 ? null : $value;
}

/**
 * Opens the service's answer as a stream. Returns [status, headers (lower-case name => value), resource].
 * Non-2xx answers are streamed too (ignore_errors); redirects are not followed.
 */
function openUpstream(string $url, string $token, array $requestHeaders): array
{
    $lines = ["Authorization: Bearer $token", 'Connection: close'];
    foreach (['If-None-Match', 'Accept'] as $name) {
        $value = plainHeader($requestHeaders[strtolower($name)] ?? null);
        if ($value !== null) {
            $lines[] = "$name: $value";
        }
    }
    $context = stream_context_create(['http' => [
        'method' => 'GET',
        'header' => implode("\r\n", $lines),
        'ignore_errors' => true,
        'follow_location' => 0,
        'timeout' => UPSTREAM_TIMEOUT_SECONDS,
        'protocol_version' => 1.1,
    ]]);
    $stream = @fopen($url, 'rb', false, $context);
    if ($stream === false) {
        throw new ProxyError(502, 'service_unavailable', 'The electrophysiology service is not reachable.');
    }
    [$status, $headers] = parseResponseHead(stream_get_meta_data($stream)['wrapper_data'] ?? []);
    return [$status, $headers, $stream];
}

/** Status and headers of the last response in the wrapper's header lines. */
function parseResponseHead(array $lines): array
{
    $status = 502;
    $headers = [];
    foreach ($lines as $line) {
        if (preg_match('#^HTTP/\S+\s+(\d{3})#', $line, $m) === 1) {
            $status = (int) $m[1];
            $headers = [];
        } elseif (str_contains($line, ':')) {
            [$name, $value] = explode(':', $line, 2);
            $headers[strtolower(trim($name))] = trim($value);
        }
    }
    return [$status, $headers];
}

/** The headers of the service's answer that the browser gets. */
function passedHeaders(array $upstreamHeaders): array
{
    return array_intersect_key($upstreamHeaders, array_flip(PASSED_RESPONSE_HEADERS));
}

/** Request headers of the current PHP request, lower-case names. */
function currentRequestHeaders(array $server): array
{
    $headers = [];
    foreach ($server as $name => $value) {
        if (is_string($value) && str_starts_with((string) $name, 'HTTP_')) {
            $headers[strtolower(str_replace('_', '-', substr((string) $name, 5)))] = $value;
        }
    }
    return $headers;
}

/** Sends an error answer in the service's shape. */
function sendError(ProxyError $error): void
{
    http_response_code($error->status);
    header('Content-Type: application/json; charset=utf-8');
    header('Cache-Control: no-store');
    echo json_encode(['error' => ['code' => $error->errorCode, 'message' => $error->getMessage()]]);
}

/** Streams the service's answer to the client in bounded chunks. */
function sendUpstream(int $status, array $headers, $stream): void
{
    http_response_code($status);
    header_remove('X-Powered-By');
    header_remove('Cache-Control');
    header_remove('Pragma');
    header_remove('Expires');
    foreach (passedHeaders($headers) as $name => $value) {
        header("$name: $value");
    }
    while (!feof($stream)) {
        $chunk = fread($stream, CHUNK_BYTES);
        if ($chunk === false || ($chunk === '' && connection_aborted())) {
            break;
        }
        echo $chunk;
        flush();
    }
    fclose($stream);
}

/**
 * The whole exchange for one request. `$whoIsLoggedIn` returns the LORIS login name or null (anonymous).
 * Path is the part starting at /ephys (the entry point strips its own prefix).
 */
function handle(string $method, string $path, string $query, array $server, array $env, callable $whoIsLoggedIn): void
{
    try {
        if ($method !== 'GET') {
            header('Allow: GET');
            throw new ProxyError(405, 'method_not_allowed', 'Only GET is forwarded.');
        }
        $target = validatedTarget($path, $query);
        $username = $whoIsLoggedIn();
        if (!is_string($username) || $username === '') {
            throw new ProxyError(401, 'login_required', 'Log in to LORIS first.');
        }
        $base = serviceBaseUrl($env['LORIS_EPHYS_URL'] ?? 'http://127.0.0.1:8000');
        $token = mintToken($username, loadJwtKey($env), time(), $env['LORIS_EPHYS_TOKEN_ISSUER'] ?? '');
        [$status, $headers, $stream] = openUpstream($base . $target, $token, currentRequestHeaders($server));
        sendUpstream($status, $headers, $stream);
    } catch (ProxyError $error) {
        sendError($error);
    }
}
