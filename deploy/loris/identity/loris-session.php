<?php

declare(strict_types=1);

/**
 * "Who is logged in" from LORIS's own session, as LORIS's htdocs scripts do it (htdocs/AjaxHelper.php):
 * NDB_Client::initialize() loads config.xml and resumes the PHP session; it returns false for an anonymous
 * visitor. LORIS_BASE is the LORIS checkout (default: three levels up from project/imaging_gateway/identity/).
 */
return static function (): ?string {
    $base = rtrim(getenv('LORIS_BASE') ?: dirname(__DIR__, 3), '/');
    set_include_path(get_include_path() . ":$base/project/libraries:$base/php/libraries");
    require_once "$base/vendor/autoload.php";
    $client = new \NDB_Client();
    if ($client->initialize("$base/project/config.xml") === false) {
        return null;
    }
    $user = \User::singleton();
    if ($user instanceof \LORIS\AnonymousUser) {
        return null;
    }
    $username = $user->getUsername();
    return $username === '' ? null : $username;
};
