import { provideHttpClient, withInterceptors } from '@angular/common/http';
import {
  type ApplicationConfig,
  provideBrowserGlobalErrorListeners,
  provideZonelessChangeDetection,
  inject,
} from '@angular/core';
import { MAT_FORM_FIELD_DEFAULT_OPTIONS } from '@angular/material/form-field';
import { MAT_SNACK_BAR_DEFAULT_OPTIONS } from '@angular/material/snack-bar';
import { provideRouter, withNavigationErrorHandler, withRouterConfig } from '@angular/router';
import { routes } from './app.routes';
import { provideParleyApollo } from './core/graphql/apollo';
import { unreachableInterceptor } from './core/graphql/unreachable.interceptor';
import { PageLoadErrors } from './core/page-load-errors';
import { provideIcons } from './ui/icons';

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideZonelessChangeDetection(),
    provideRouter(
      routes,
      withNavigationErrorHandler((event) => inject(PageLoadErrors).report(event)),
      // A browser Back that a guard refuses (the campaign editor's "Stay") puts the history back
      // where it was, so that the next Back goes to the same page again.
      withRouterConfig({ canceledNavigationResolution: 'computed' }),
    ),
    provideHttpClient(withInterceptors([unreachableInterceptor])),
    provideParleyApollo(),
    provideIcons(),
    { provide: MAT_FORM_FIELD_DEFAULT_OPTIONS, useValue: { appearance: 'outline' } },
    { provide: MAT_SNACK_BAR_DEFAULT_OPTIONS, useValue: { duration: 5000 } },
  ],
};
