import type { Role } from '../graphql/generated';

/** One section of the console. A new screen adds an entry here and a route in app.routes.ts. */
export interface NavItem {
  /** Absolute path, without the leading slash. */
  path: string;
  label: string;
  /** Name of an icon registered in ui/icons.ts. */
  icon: string;
  roles: readonly Role[];
}

export const NAV_ITEMS: readonly NavItem[] = [
  // An admin lands on Users, a supervisor on Campaigns, an agent on Chats: each role's first entry.
  { path: 'agent', label: 'Chats', icon: 'headset', roles: ['AGENT'] },
  { path: 'admin/users', label: 'Users', icon: 'group', roles: ['ADMIN'] },
  { path: 'admin/campaigns', label: 'Campaigns', icon: 'campaign', roles: ['ADMIN', 'SUPERVISOR'] },
  { path: 'admin/members', label: 'Members', icon: 'person-add', roles: ['ADMIN', 'SUPERVISOR'] },
  { path: 'admin/api-keys', label: 'API keys', icon: 'key', roles: ['ADMIN'] },
  { path: 'admin/messenger', label: 'Messenger', icon: 'settings', roles: ['ADMIN'] },
  { path: 'home', label: 'Home', icon: 'home', roles: ['SUPERVISOR'] },
];

export function navItemsFor(role: Role): NavItem[] {
  return NAV_ITEMS.filter((item) => item.roles.includes(role));
}

/** Where a role lands after signing in: its first section. */
export function homePathFor(role: Role): string {
  return navItemsFor(role)[0]?.path ?? 'home';
}

/** The roles allowed on a section's route, from the same list the menu is drawn from. */
export function rolesFor(path: string): readonly Role[] {
  return NAV_ITEMS.find((item) => item.path === path)?.roles ?? [];
}
