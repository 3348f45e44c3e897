-- Imaging gateway settings for loris-ephys-api (deploy/loris/README.md).
-- Safe to run more than once, on LORIS releases with or without the imaging_gateway module:
--   1. the setting definitions are created only where missing (same names as LORIS's own module patch);
--   2. the values below replace whatever the five settings held (JWTKey is left alone).
-- Edit the values in the SET lines first (@allow_demo = 1 also forwards /demo, the service's demo page;
-- @allow_uploads = 1 the uploads module's /tus/upload and /uploads routes).

SET @upstream_url = 'http://127.0.0.1:8000';
SET @connect_timeout_seconds = '5';
SET @hide_error_bodies = 'true';
SET @allow_demo = 0;
-- 1 forwards the uploads module's routes (tus and upload states) and admits LORIS's DICOM uploaders too;
-- switch the module on in the service as well (LORIS_EPHYS_MODULES=ephys,meegqc,uploads).
SET @allow_uploads = 0;

INSERT IGNORE INTO modules (Name, Active) VALUES ('imaging_gateway', 'Y');
UPDATE modules SET Active = 'Y' WHERE Name = 'imaging_gateway';

-- 1. Definitions: a parent category and five settings under it.
INSERT IGNORE INTO ConfigSettings (Name, Description, Visible, AllowMultiple, Label, OrderNumber)
VALUES ('imaging_gateway', 'Forwarding of authenticated requests to the internal imaging service', 1, 0,
        'Imaging Gateway', 17);

INSERT IGNORE INTO ConfigSettings (Name, Description, Visible, AllowMultiple, DataType, Parent, Label, OrderNumber)
SELECT s.Name, s.Description, 1, s.AllowMultiple, s.DataType, p.ID, s.Label, s.OrderNumber
FROM ConfigSettings p
JOIN (
    SELECT 'imaging_gateway_upstream_url' AS Name, 'Base HTTP(S) URL of the internal imaging service' AS Description,
           0 AS AllowMultiple, 'text' AS DataType, 'Upstream URL' AS Label, 1 AS OrderNumber
    UNION ALL SELECT 'imaging_gateway_connect_timeout_seconds',
           'Seconds to wait while connecting to the internal imaging service', 0, 'text',
           'Connection timeout (seconds)', 2
    UNION ALL SELECT 'imaging_gateway_hide_error_bodies',
           'Remove the body of HTTP errors returned by the internal imaging service', 0, 'boolean',
           'Hide upstream error response bodies', 3
    UNION ALL SELECT 'imaging_gateway_allowed_paths',
           'PCRE patterns for whole gateway-relative paths that may be forwarded; no values deny all requests', 1,
           'text', 'Allowed path patterns', 4
    UNION ALL SELECT 'imaging_gateway_required_permissions',
           'LORIS permissions of which a user needs at least one; no values deny all requests', 1, 'text',
           'Required permissions', 5
) s
WHERE p.Name = 'imaging_gateway';

-- 2. Values: one Config row per single-valued setting, one row per value of a multi-valued one.
DELETE c FROM Config c JOIN ConfigSettings cs ON cs.ID = c.ConfigID
WHERE cs.Name IN ('imaging_gateway_upstream_url', 'imaging_gateway_connect_timeout_seconds',
                  'imaging_gateway_hide_error_bodies', 'imaging_gateway_allowed_paths',
                  'imaging_gateway_required_permissions');

INSERT INTO Config (ConfigID, Value)
SELECT cs.ID, v.Value
FROM ConfigSettings cs
JOIN (
    SELECT 'imaging_gateway_upstream_url' AS Name, @upstream_url AS Value, 1 AS Wanted
    UNION ALL SELECT 'imaging_gateway_connect_timeout_seconds', @connect_timeout_seconds, 1
    UNION ALL SELECT 'imaging_gateway_hide_error_bodies', @hide_error_bodies, 1
    UNION ALL SELECT 'imaging_gateway_allowed_paths', '/health', 1
    UNION ALL SELECT 'imaging_gateway_allowed_paths', '/openapi.json', 1
    UNION ALL SELECT 'imaging_gateway_allowed_paths', '/ephys/.*', 1
    UNION ALL SELECT 'imaging_gateway_allowed_paths', '/meegqc/.*', 1
    UNION ALL SELECT 'imaging_gateway_allowed_paths', '/demo', @allow_demo
    UNION ALL SELECT 'imaging_gateway_allowed_paths', '/tus/upload(/.*)?', @allow_uploads
    UNION ALL SELECT 'imaging_gateway_allowed_paths', '/uploads(/.*)?', @allow_uploads
    UNION ALL SELECT 'imaging_gateway_required_permissions', 'electrophysiology_browser_view_site', 1
    UNION ALL SELECT 'imaging_gateway_required_permissions', 'electrophysiology_browser_view_allsites', 1
    UNION ALL SELECT 'imaging_gateway_required_permissions', 'imaging_uploader_allsites', @allow_uploads
    UNION ALL SELECT 'imaging_gateway_required_permissions', 'imaging_uploader_ownsites', @allow_uploads
) v ON v.Name = cs.Name
WHERE v.Wanted = 1
ORDER BY v.Name, v.Value;
