#!/usr/bin/python3
"""Golden values for lib/auth/key-strength.ts: runs LORIS's own `Login::isKeyStrong` (PHP) on a list of keys.

Usage: /usr/bin/python3 scripts/golden/make_key_strength_golden.py <aces/Loris git dir or checkout>
The PHP function is read from modules/api/php/endpoints/login.class.inc of that LORIS tree and run by `php`
unchanged, so the JSON records what LORIS itself decides. Writes test/golden/access/key-strength.json.
"""
import json
import os
import re
import subprocess
import sys

LOGIN = 'modules/api/php/endpoints/login.class.inc'
CASES = [
    '', 'short1!', 'a' * 19 + '1', 'abcdefghijklmnopqrstuvwxyz', '12345678901234567890123',
    'abcdefghij1234567890', 'abcdefghij!@#$%^&*()', '1234567890!@#$%^&*()', 'abcdefghij12345678!',
    'abcdefghij123456789!', 'Abcdefghij123456789$', 'abcdefghij123456789\\', 'abcdefghij123456789^',
    'abcdefghij123456789-', 'abcdefghij123456789_', 'abcdefghij123456789 ', 'abcdefghij123456789~',
    'abcdefghij12345678()', 'abcdefghij1234567*8', 'ÄÖÜäöüßÄÖÜ12!', 'ÄÖÜäöüß1234!', 'ééééééééééé1!',
    'x1!' * 7, '!!!!!!!!!!!!!!!!!!!!', '!!!!!!!!!!!!!!!!!!!!1', '!!!!!!!!!!!!!!!!!!!!a',
    'correct horse battery staple', 'correct-horse-battery-staple-42', 'correct#horse#battery#staple#42',
    'eF3@kL9#mN2$pQ7%rS1&', 'a1#' + 'b' * 17, 'a1#' + 'b' * 16,
]


def loris_source(root: str) -> str:
    if os.path.exists(os.path.join(root, LOGIN)):
        with open(os.path.join(root, LOGIN), encoding='utf-8') as f:
            return f.read()
    return subprocess.run(['git', '-C', root, 'show', f'HEAD:{LOGIN}'], check=True, capture_output=True,
                          text=True).stdout


def main() -> None:
    source = loris_source(sys.argv[1])
    body = re.search(r'static function isKeyStrong\(\$key\)\s*(\{.*?\n    \})', source, re.S)
    min_len = re.search(r'MIN_JWT_KEY_LENGTH = (\d+);', source)
    min_sets = re.search(r'MIN_COMPLEXITY_CHARSETS = (\d+);', source)
    if not (body and min_len and min_sets):
        sys.exit('isKeyStrong not found in ' + LOGIN)
    php = ('class Login { const MIN_JWT_KEY_LENGTH = %s; const MIN_COMPLEXITY_CHARSETS = %s;\n'
           'static function isKeyStrong($key) %s }\n'
           '$keys = json_decode(stream_get_contents(STDIN), true);\n'
           'echo json_encode(array_map(fn($k) => Login::isKeyStrong($k), $keys));'
           ) % (min_len.group(1), min_sets.group(1), body.group(1))
    out = subprocess.run(['php', '-r', php], input=json.dumps(CASES), check=True, capture_output=True, text=True)
    verdicts = json.loads(out.stdout)
    cases = [{'key': k, 'strong': v} for k, v in zip(CASES, verdicts)]
    path = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'golden', 'access', 'key-strength.json')
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        json.dump({'source': f'aces/Loris {LOGIN} Login::isKeyStrong', 'cases': cases}, f, indent=1,
                  ensure_ascii=False)
        f.write('\n')
    print(f'{len(cases)} cases, {sum(verdicts)} strong -> {os.path.normpath(path)}')


if __name__ == '__main__':
    main()
