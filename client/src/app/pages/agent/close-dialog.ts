import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { Apollo } from 'apollo-angular';
import { firstValueFrom } from 'rxjs';
import { describeError } from '../../core/graphql/errors';
import { AgentCloseDocument, type AgentInboxItemFragment } from '../../graphql/generated';
import { ErrorMessage } from '../../ui/error-message';

export const DISPOSITION_MAX = 500;

export interface CloseDialogData {
  interactionId: string;
  contactName: string;
}

/** Closes a chat with how it ended (optional); closes with the closed interaction. */
@Component({
  selector: 'app-close-dialog',
  imports: [
    ReactiveFormsModule,
    MatButtonModule,
    MatDialogModule,
    MatFormFieldModule,
    MatInputModule,
    MatProgressBarModule,
    ErrorMessage,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (saving()) {
      <mat-progress-bar mode="indeterminate" aria-label="Closing the chat" />
    }
    <h2 mat-dialog-title>Close the chat with {{ data.contactName }}</h2>
    <form [formGroup]="form" (ngSubmit)="save()" novalidate aria-label="Close the chat">
      <mat-dialog-content>
        <p class="intro">If {{ data.contactName }} writes again, a new chat starts.</p>
        <mat-form-field class="field">
          <mat-label>Disposition</mat-label>
          <textarea
            matInput
            formControlName="disposition"
            cdkFocusInitial
            rows="3"
            [maxlength]="max"
            data-testid="close-disposition"
          ></textarea>
          <mat-hint>How it ended, for the history (optional)</mat-hint>
          <mat-hint align="end">{{ form.controls.disposition.value.length }} / {{ max }}</mat-hint>
        </mat-form-field>
        <app-error-message [message]="error()" data-testid="close-error" />
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close [disabled]="saving()">Cancel</button>
        <button mat-flat-button type="submit" [disabled]="saving()" data-testid="close-submit">
          Close chat
        </button>
      </mat-dialog-actions>
    </form>
  `,
  styles: `
    .intro {
      margin-top: 0;
    }
    .field {
      width: 100%;
    }
  `,
})
export class CloseDialog {
  private readonly apollo = inject(Apollo);
  private readonly dialogRef = inject<MatDialogRef<CloseDialog, AgentInboxItemFragment>>(MatDialogRef);
  protected readonly data = inject<CloseDialogData>(MAT_DIALOG_DATA);

  protected readonly max = DISPOSITION_MAX;
  protected readonly form = inject(NonNullableFormBuilder).group({
    disposition: ['', Validators.maxLength(DISPOSITION_MAX)],
  });
  protected readonly saving = signal(false);
  protected readonly error = signal<string | null>(null);

  async save(): Promise<void> {
    if (this.saving()) return;
    this.error.set(null);
    this.saving.set(true);
    this.dialogRef.disableClose = true;
    this.form.disable();
    try {
      const disposition = this.form.getRawValue().disposition.trim() || null;
      const result = await firstValueFrom(
        this.apollo.mutate({
          mutation: AgentCloseDocument,
          variables: { id: this.data.interactionId, disposition },
        }),
      );
      const closed = result.data?.closeInteraction;
      if (!closed) throw new Error('The Parley server did not confirm it.');
      this.dialogRef.close(closed);
    } catch (error) {
      this.form.enable();
      this.error.set(`Could not close the chat: ${describeError(error)}`);
    } finally {
      this.saving.set(false);
      this.dialogRef.disableClose = false;
    }
  }
}
