import type { CanDeactivateFn } from '@angular/router';
// Only the type: the editor, and the dialog it asks with, stay in their lazily loaded chunks.
import type { CampaignEditorPage } from './campaign-editor';

/** Leaving the campaign editor with unsaved changes asks first; "Stay" keeps everything as typed. */
export const leaveCampaignEditorGuard: CanDeactivateFn<CampaignEditorPage> = (editor) =>
  !editor?.hasUnsavedChanges() || editor.askToLeave();
