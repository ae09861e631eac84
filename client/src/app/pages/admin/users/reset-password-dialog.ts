import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { Apollo } from 'apollo-angular';
import { firstValueFrom } from 'rxjs';
import { PASSWORD_MAX, PASSWORD_MIN } from '@parley/libs/shared/user-rules.js';
import { describeError, inputProblemsOf, sentence } from '../../../core/graphql/errors';
import { ResetUserPasswordDocument, type UserRowFragment } from '../../../graphql/generated';
import { ErrorMessage } from '../../../ui/error-message';

/** Sets a new password for someone; closes with the user once the server took it. */
@Component({
  selector: 'app-reset-password-dialog',
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
      <mat-progress-bar mode="indeterminate" aria-label="Setting the password" />
    }
    <h2 mat-dialog-title>Reset the password of {{ user.displayName }}</h2>
    <form [formGroup]="form" (ngSubmit)="save()" novalidate aria-label="Reset password">
      <mat-dialog-content>
        <p class="intro">
          {{ user.username }} signs in with this password from now on. Tell them the new password in person or
          through a channel you trust.
        </p>
        <mat-form-field class="field">
          <mat-label>New password</mat-label>
          <input
            matInput
            type="password"
            formControlName="password"
            autocomplete="new-password"
            data-testid="reset-password-value"
            required
          />
          <mat-hint>At least {{ min }} characters</mat-hint>
          @let password = form.controls.password;
          @if (password.hasError('required')) {
            <mat-error>Enter the new password.</mat-error>
          } @else if (password.hasError('minlength')) {
            <mat-error>The password needs at least {{ min }} characters.</mat-error>
          } @else if (password.hasError('maxlength')) {
            <mat-error>The password has at most {{ max }} characters.</mat-error>
          } @else if (password.hasError('server')) {
            <mat-error>{{ password.getError('server') }}</mat-error>
          }
        </mat-form-field>
        <app-error-message [message]="error()" data-testid="reset-password-error" />
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close [disabled]="saving()">Cancel</button>
        <button mat-flat-button type="submit" [disabled]="saving()" data-testid="reset-password-submit">
          Set password
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
export class ResetPasswordDialog {
  private readonly apollo = inject(Apollo);
  private readonly dialogRef = inject<MatDialogRef<ResetPasswordDialog, UserRowFragment>>(MatDialogRef);
  protected readonly user = inject<UserRowFragment>(MAT_DIALOG_DATA);

  protected readonly min = PASSWORD_MIN;
  protected readonly max = PASSWORD_MAX;
  protected readonly form = inject(NonNullableFormBuilder).group({
    password: [
      '',
      [Validators.required, Validators.minLength(PASSWORD_MIN), Validators.maxLength(PASSWORD_MAX)],
    ],
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
    let failure: unknown = null;
    try {
      const result = await firstValueFrom(
        this.apollo.mutate({
          mutation: ResetUserPasswordDocument,
          variables: { id: this.user.id, password: this.form.getRawValue().password },
        }),
      );
      const user = result.data?.resetUserPassword;
      if (!user) throw new Error('The Parley server did not confirm the new password.');
      this.dialogRef.close(user);
    } catch (error) {
      failure = error;
    } finally {
      this.saving.set(false);
      this.dialogRef.disableClose = false;
    }
    if (failure === null) return;
    this.form.enable();
    const problem = inputProblemsOf(failure).find((p) => p.field === 'password');
    if (problem) {
      const control = this.form.controls.password;
      control.setErrors({ server: sentence(problem.problem) });
      control.markAsTouched();
    } else {
      this.error.set(describeError(failure));
    }
  }
}
