import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import {
  type AbstractControl,
  NonNullableFormBuilder,
  ReactiveFormsModule,
  type ValidationErrors,
  Validators,
} from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { USERNAME_PATTERN } from '@parley/libs/shared/user-rules.js';
import { normalizeUsername } from '@parley/libs/shared/usernames.js';
import { Apollo } from 'apollo-angular';
import { firstValueFrom } from 'rxjs';
import { describeError, graphQLErrorsOf } from '../../../core/graphql/errors';
import { ROLES } from '../../../core/roles';
import { CreateUserDocument, type Role, type UserRowFragment } from '../../../graphql/generated';
import { ErrorMessage } from '../../../ui/error-message';
import { RoleLabelPipe } from '../../../ui/role-label.pipe';

export const PASSWORD_MIN_LENGTH = 8;

type Field = 'username' | 'displayName' | 'password' | 'role';
const FIELDS: readonly Field[] = ['username', 'displayName', 'password', 'role'];

/** The server's rule, on the name as it will be stored: "Ana " and "ＡＮＡ" are "ana". */
function validUsername(control: AbstractControl<string>): ValidationErrors | null {
  if (!control.value) return null;
  const name = normalizeUsername(control.value);
  if (name.length < 3 || name.length > 50) return { minlength: true };
  return USERNAME_PATTERN.test(name) ? null : { pattern: true };
}

function notBlank(control: AbstractControl<string>): ValidationErrors | null {
  return control.value && control.value.trim() === '' ? { blank: true } : null;
}

/** Creates a user; closes with the new user. */
@Component({
  selector: 'app-new-user-dialog',
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
  templateUrl: './new-user-dialog.html',
  styles: `
    .form {
      display: flex;
      flex-direction: column;
      gap: 4px;
      padding-top: 8px;
    }
    app-error-message {
      display: block;
      margin-top: 4px;
    }
  `,
})
export class NewUserDialog {
  private readonly apollo = inject(Apollo);
  private readonly dialogRef = inject<MatDialogRef<NewUserDialog, UserRowFragment>>(MatDialogRef);

  protected readonly roles = ROLES;
  protected readonly passwordMinLength = PASSWORD_MIN_LENGTH;
  protected readonly form = inject(NonNullableFormBuilder).group({
    username: ['', [Validators.required, validUsername]],
    displayName: ['', [Validators.required, Validators.maxLength(100), notBlank]],
    password: ['', [Validators.required, Validators.minLength(PASSWORD_MIN_LENGTH)]],
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
    const value = this.form.getRawValue();
    this.error.set(null);
    this.saving.set(true);
    this.dialogRef.disableClose = true;
    this.form.disable();
    try {
      const result = await firstValueFrom(
        this.apollo.mutate({
          mutation: CreateUserDocument,
          variables: {
            input: {
              username: normalizeUsername(value.username),
              displayName: value.displayName.trim(),
              password: value.password,
              role: value.role,
            },
          },
        }),
      );
      const user = result.data?.createUser;
      if (!user) throw new Error('The Parley server did not return the new user.');
      this.dialogRef.close(user);
    } catch (error) {
      this.form.enable();
      this.showServerError(error);
    } finally {
      this.saving.set(false);
      this.dialogRef.disableClose = false;
    }
  }

  /** "username: already taken" goes under the username field; anything else above the buttons. */
  private showServerError(error: unknown): void {
    const errors = graphQLErrorsOf(error);
    if (errors.length === 0) {
      this.error.set(describeError(error));
      return;
    }
    const unplaced: string[] = [];
    // One message may name several fields: "username: too short; password: too short".
    for (const part of errors.flatMap((e) => e.message.split(/;\s+(?=\w+: )/))) {
      const match = /^(\w+): (.+)$/s.exec(part.trim());
      const field = FIELDS.find((f) => f === match?.[1]);
      if (field && match) {
        const control = this.form.controls[field];
        control.setErrors({ ...control.errors, server: capitalize(match[2]) });
        control.markAsTouched();
      } else {
        unplaced.push(part);
      }
    }
    if (unplaced.length > 0) this.error.set(unplaced.join(' '));
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
