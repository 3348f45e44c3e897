/**
 * The electrophysiology browser's access rule for one recording, as LORIS applies it
 * (modules/electrophysiology_browser/php/sessions.class.inc `isAccessibleBy`):
 *   (view_allsites OR (session.CenterID in the user's sites AND view_site)) AND session.ProjectID in the user's projects
 * `superuser` satisfies any permission code (UserPermissions::hasPermission) but NOT site or project
 * membership (User::hasCenter/hasProject have no superuser bypass). The module itself must be active.
 */
export const PERMISSION = {
  superuser: 'superuser',
  viewAllSites: 'electrophysiology_browser_view_allsites',
  viewSite: 'electrophysiology_browser_view_site',
} as const;

export interface Grants {
  permissions: readonly string[];
  sites: readonly number[];
  projects: readonly number[];
}

export interface SessionScope {
  centerId: number;
  projectId: number;
}

export function hasPermission(grants: Grants, code: string): boolean {
  return grants.permissions.includes(PERMISSION.superuser) || grants.permissions.includes(code);
}

/** Whether the user could see any recording at all (LORIS's module-level `hasAccess`). */
export function canUseBrowser(grants: Grants): boolean {
  return hasPermission(grants, PERMISSION.viewAllSites) || hasPermission(grants, PERMISSION.viewSite);
}

export function canViewSession(grants: Grants, session: SessionScope): boolean {
  const siteAllowed =
    hasPermission(grants, PERMISSION.viewAllSites) ||
    (grants.sites.includes(session.centerId) && hasPermission(grants, PERMISSION.viewSite));
  return siteAllowed && grants.projects.includes(session.projectId);
}
