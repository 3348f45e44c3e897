<?php

declare(strict_types=1);

/**
 * What the front controller (htdocs/imaging_gateway.php) reads from LORIS's database without LORIS's own
 * classes: Config settings as NDB_Config returns them and a user's permissions as User::hasPermission sees
 * them. The connection comes from the <database> section of LORIS's config.xml; PDO (pdo_mysql) only.
 */

namespace LorisEphys\LorisDatabase;

use LorisEphys\ImagingGateway\GatewayError;

use function LorisEphys\ImagingGateway\configurationError;

/** @return array{host: string, port: int, user: string, password: string, database: string} */
function databaseSettings(string $configXml): array
{
    $text = @file_get_contents($configXml, false, null, 0, 1 << 20);
    $db = $text === false ? [] : databaseSection($text);
    if (($db['database'] ?? '') === '') {
        throw configurationError('config.xml has no <database> section: ' . $configXml);
    }
    [$host, $port] = array_pad(explode(':', $db['host'], 2), 2, '3306');
    return [
        'host' => $host === '' ? '127.0.0.1' : $host,
        'port' => (int) $port,
        'user' => $db['username'],
        'password' => $db['password'],
        'database' => $db['database'],
    ];
}

/**
 * <host>, <username>, <password> and <database> of <config><database>: SimpleXML (php-xml, which LORIS itself
 * needs) when present, otherwise a plain scan of that flat section (CDATA and entities decoded).
 *
 * @return array<string, string>
 */
function databaseSection(string $xmlText): array
{
    $fields = ['host', 'username', 'password', 'database'];
    if (function_exists('simplexml_load_string')) {
        $xml = @simplexml_load_string($xmlText, \SimpleXMLElement::class, LIBXML_NONET);
        $section = $xml === false ? null : $xml->database;
        return $section === null ? [] : array_combine($fields, array_map(fn ($f) => (string) $section->$f, $fields));
    }
    // The outer <database> holds elements, one of them an inner <database>name</database>.
    if (preg_match('#<database>\s*(<.*?<database>[^<]*</database>.*?)</database>#s', $xmlText, $m) !== 1) {
        return [];
    }
    $values = [];
    foreach ($fields as $field) {
        $found = preg_match("#<$field>(?:<!\\[CDATA\\[(.*?)\\]\\]>|([^<]*))</$field>#s", $m[1], $v) === 1;
        $cdata = $v[1] ?? '';
        $values[$field] = !$found ? '' : ($cdata !== '' ? $cdata : html_entity_decode($v[2] ?? '', ENT_XML1 | ENT_QUOTES, 'UTF-8'));
    }
    return $values;
}

function connect(string $configXml): \PDO
{
    if (!extension_loaded('pdo_mysql')) {
        throw configurationError('PHP has no pdo_mysql (install php-mysql)');
    }
    $db = databaseSettings($configXml);
    $dsn = sprintf('mysql:host=%s;port=%d;dbname=%s;charset=utf8', $db['host'], $db['port'], $db['database']);
    try {
        return new \PDO($dsn, $db['user'], $db['password'], [
            \PDO::ATTR_ERRMODE => \PDO::ERRMODE_EXCEPTION,
            \PDO::ATTR_TIMEOUT => 5,
        ]);
    } catch (\PDOException $e) {
        throw new GatewayError(500, 'The LORIS database cannot be reached.', $e->getMessage());
    }
}

/**
 * Settings by name as NDB_Config::getSetting gives them from the database: a multi-valued setting is a list
 * of its values, any other the first value or null when unset/empty. A name without a ConfigSettings row is
 * left out.
 *
 * @param string[] $names
 * @return array<string, string|string[]|null>
 */
function configSettings(\PDO $pdo, array $names): array
{
    $marks = implode(',', array_fill(0, count($names), '?'));
    $statement = $pdo->prepare(
        "SELECT cs.Name, cs.AllowMultiple, c.Value FROM ConfigSettings cs
         LEFT JOIN Config c ON c.ConfigID = cs.ID WHERE cs.Name IN ($marks) ORDER BY c.ID"
    );
    $statement->execute($names);
    $settings = [];
    foreach ($statement->fetchAll(\PDO::FETCH_ASSOC) as $row) {
        $name = $row['Name'];
        $value = $row['Value'];
        if ((string) $row['AllowMultiple'] === '1') {
            $settings[$name] ??= [];
            if ($value !== null) {
                $settings[$name][] = $value;
            }
        } elseif (!array_key_exists($name, $settings) || $settings[$name] === null) {
            $settings[$name] = ($value === null || $value === '') ? null : $value;
        }
    }
    return $settings;
}

/** Whether the user holds the permission or `superuser` (LORIS's User::hasPermission). */
function userHasPermission(\PDO $pdo, string $username, string $code): bool
{
    $statement = $pdo->prepare(
        "SELECT 1 FROM users u JOIN user_perm_rel upr ON upr.userID = u.ID
         JOIN permissions p ON p.permID = upr.permID
         WHERE u.UserID = ? AND p.code IN (?, 'superuser') LIMIT 1"
    );
    $statement->execute([$username, $code]);
    return $statement->fetchColumn() !== false;
}
