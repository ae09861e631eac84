import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { Apollo } from 'apollo-angular';
import { firstValueFrom } from 'rxjs';
import { describeError } from '../../../core/graphql/errors';
import { ROLES } from '../../../core/roles';
import { CreateApiKeyDocument, type CreateApiKeyMutation, type Role } from '../../../graphql/generated';
import { ErrorMessage } from '../../../ui/error-message';
import { RoleLabelPipe } from '../../../ui/role-label.pipe';

/** The key (shown once) and its row. */
export type CreatedApiKey = CreateApiKeyMutation['createApiKey'];

/** Asks for a name and a role, creates the key; closes with the key and its row. */
@Component({
  selector: 'app-new-api-key-dialog',
  imports: [
    ReactiveFormsModule,
    MatButtonModule,
    MatDialogModule,
    MatFormFieldModule,
    MatInputModule,
    MatProgressBarModule,
    MatSelectModule,
    ErrorMessage,
    RoleLabelPipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (saving()) {
      <mat-progress-bar mode="indeterminate" aria-label="Creating the API key" />
    }
    <h2 mat-dialog-title>New API key</h2>
    <form [formGroup]="form" (ngSubmit)="save()" novalidate aria-label="New API key">
      <mat-dialog-content>
        <p class="intro">A tool that holds this key acts with the role you choose here.</p>
        <div class="form">
          <mat-form-field>
            <mat-label>Name</mat-label>
            <input
              matInput
              formControlName="name"
              autocomplete="off"
              data-testid="new-api-key-name"
              required
            />
            <mat-hint>Who uses it, e.g. "CRM sync"</mat-hint>
            @if (form.controls.name.hasError('required') || form.controls.name.hasError('pattern')) {
              <mat-error>Enter a name for the key.</mat-error>
            } @else if (form.controls.name.hasError('maxlength')) {
              <mat-error>A name has at most 100 characters.</mat-error>
            }
          </mat-form-field>
          <mat-form-field>
            <mat-label>Role</mat-label>
            <mat-select formControlName="role" data-testid="new-api-key-role">
              @for (role of roles; track role) {
                <mat-option [value]="role">{{ role | roleLabel }}</mat-option>
              }
            </mat-select>
          </mat-form-field>
          <app-error-message [message]="error()" data-testid="new-api-key-error" />
        </div>
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close [disabled]="saving()">Cancel</button>
        <button mat-flat-button type="submit" [disabled]="saving()" data-testid="new-api-key-submit">
          Create key
        </button>
      </mat-dialog-actions>
    </form>
  `,
  styles: `
    .intro {
      margin-top: 0;
    }
    .form {
      display: flex;
      flex-direction: column;
      gap: 4px;
    }
  `,
})
export class NewApiKeyDialog {
  private readonly apollo = inject(Apollo);
  private readonly dialogRef = inject<MatDialogRef<NewApiKeyDialog, CreatedApiKey>>(MatDialogRef);

  protected readonly roles = ROLES;
  protected readonly form = inject(NonNullableFormBuilder).group({
    name: ['', [Validators.required, Validators.maxLength(100), Validators.pattern(/\S/)]],
    role: ['AGENT' as Role, Validators.required],
  });
  protected readonly saving = signal(false);
  protected readonly error = signal<string | null>(null);

  async save(): Promise<void> {
    if (this.saving()) return;
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    this.error.set(null);
    this.saving.set(true);
    this.dialogRef.disableClose = true;
    this.form.disable();
    try {
      const created = await this.create();
      if (!created) throw new Error('The Parley server did not return the new key.');
      this.dialogRef.close(created);
    } catch (error) {
      this.form.enable();
      this.error.set(describeError(error));
    } finally {
      this.saving.set(false);
      this.dialogRef.disableClose = false;
    }
  }

  private async create(): Promise<CreatedApiKey | undefined> {
    const { name, role } = this.form.getRawValue();
    const result = await firstValueFrom(
      this.apollo.mutate({ mutation: CreateApiKeyDocument, variables: { name: name.trim(), role } }),
    );
    return result.data?.createApiKey;
  }
}
