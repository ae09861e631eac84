import type { Routes } from '@angular/router';
import { landingGuard, roleGuard, signedInGuard, signedOutGuard } from './core/auth/guards';
import { rolesFor } from './core/navigation';
import { leaveCampaignEditorGuard } from './pages/admin/campaigns/campaign-editor.guard';

export const routes: Routes = [
  {
    path: 'login',
    title: 'Sign in · Parley',
    canMatch: [signedOutGuard],
    loadComponent: () => import('./pages/login/login').then((m) => m.LoginPage),
  },
  {
    path: '',
    canActivate: [signedInGuard],
    loadComponent: () => import('./shell/shell').then((m) => m.Shell),
    children: [
      // Each role lands on its first section.
      { path: '', pathMatch: 'full', canActivate: [landingGuard], children: [] },
      {
        path: 'home',
        title: 'Home · Parley',
        canActivate: [roleGuard],
        data: { roles: rolesFor('home') },
        loadComponent: () => import('./pages/home/home').then((m) => m.HomePage),
      },
      {
        path: 'agent',
        title: 'Chats · Parley',
        canActivate: [roleGuard],
        data: { roles: rolesFor('agent') },
        loadComponent: () => import('./pages/agent/agent').then((m) => m.AgentPage),
      },
      {
        path: 'admin/campaigns',
        title: 'Campaigns · Parley',
        canActivate: [roleGuard],
        data: { roles: rolesFor('admin/campaigns') },
        loadComponent: () => import('./pages/admin/campaigns/campaigns').then((m) => m.CampaignsPage),
      },
      {
        path: 'admin/campaigns/new',
        title: 'New campaign · Parley',
        canActivate: [roleGuard],
        canDeactivate: [leaveCampaignEditorGuard],
        // Supervisors read campaigns; only admins create them.
        data: { roles: ['ADMIN'] },
        loadComponent: () =>
          import('./pages/admin/campaigns/campaign-editor').then((m) => m.CampaignEditorPage),
      },
      {
        path: 'admin/campaigns/:id',
        title: 'Campaign · Parley',
        canActivate: [roleGuard],
        // Supervisors only read: the editor then never has unsaved changes to ask about.
        canDeactivate: [leaveCampaignEditorGuard],
        data: { roles: rolesFor('admin/campaigns') },
        loadComponent: () =>
          import('./pages/admin/campaigns/campaign-editor').then((m) => m.CampaignEditorPage),
      },
      {
        path: 'admin/members',
        title: 'Members · Parley',
        canActivate: [roleGuard],
        data: { roles: rolesFor('admin/members') },
        loadComponent: () => import('./pages/admin/members/members').then((m) => m.MembersPage),
      },
      {
        path: 'admin/users',
        title: 'Users · Parley',
        canActivate: [roleGuard],
        data: { roles: rolesFor('admin/users') },
        loadComponent: () => import('./pages/admin/users/users').then((m) => m.UsersPage),
      },
      {
        path: 'admin/api-keys',
        title: 'API keys · Parley',
        canActivate: [roleGuard],
        data: { roles: rolesFor('admin/api-keys') },
        loadComponent: () => import('./pages/admin/api-keys/api-keys').then((m) => m.ApiKeysPage),
      },
      {
        path: 'admin/messenger',
        title: 'Messenger settings · Parley',
        canActivate: [roleGuard],
        data: { roles: rolesFor('admin/messenger') },
        loadComponent: () =>
          import('./pages/admin/messenger/messenger-settings').then((m) => m.MessengerSettingsPage),
      },
    ],
  },
  { path: '**', redirectTo: '' },
];
