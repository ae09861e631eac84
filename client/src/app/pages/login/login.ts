import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { Router } from '@angular/router';
import { AuthService } from '../../core/auth/auth.service';
import { homePathFor } from '../../core/navigation';
import { ErrorMessage } from '../../ui/error-message';

@Component({
  selector: 'app-login',
  imports: [
    ReactiveFormsModule,
    MatButtonModule,
    MatCardModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatProgressBarModule,
    ErrorMessage,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './login.html',
  styleUrl: './login.scss',
})
export class LoginPage {
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);

  protected readonly form = inject(NonNullableFormBuilder).group({
    username: ['', Validators.required],
    password: ['', Validators.required],
  });
  protected readonly signingIn = signal(false);
  protected readonly error = signal<string | null>(null);
  /** Why the previous session ended (expired, revoked...), until the person signs in again. */
  protected readonly notice = this.auth.notice;

  async signIn(): Promise<void> {
    if (this.signingIn()) return;
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const { username, password } = this.form.getRawValue();
    this.error.set(null);
    this.signingIn.set(true);
    this.form.disable();
    try {
      const user = await this.auth.login(username.trim(), password);
      await this.router.navigateByUrl(`/${homePathFor(user.role)}`);
    } catch (error) {
      this.error.set(error instanceof Error ? error.message : String(error));
      this.form.enable();
      this.form.controls.password.reset();
    } finally {
      this.signingIn.set(false);
    }
  }
}
