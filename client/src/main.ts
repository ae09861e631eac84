import { bootstrapApplication } from '@angular/platform-browser';
import { App } from './app/app';
import { appConfig } from './app/app.config';

bootstrapApplication(App, appConfig).catch((error: unknown) => {
  // Nothing else can show it: the application itself failed to start.
  console.error(error);
  document.body.textContent = `Parley could not start: ${error instanceof Error ? error.message : String(error)}`;
});
