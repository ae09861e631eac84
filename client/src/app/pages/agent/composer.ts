import {
  CUSTOM_ELEMENTS_SCHEMA,
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  type ElementRef,
  computed,
  effect,
  inject,
  input,
  output,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { TextFieldModule } from '@angular/cdk/text-field';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTooltipModule } from '@angular/material/tooltip';
import type { Subscription } from 'rxjs';
import { describeError } from '../../core/graphql/errors';
import type { AgentMessageFragment, CannedResponse } from '../../graphql/generated';
import { ErrorMessage } from '../../ui/error-message';
import { DraftStore } from './drafts';
import { Replies } from './replies';
import { UPLOAD_MAX_BYTES, type UploadedFile, Uploads, describeUploadError } from './uploads';

/** Messenger's limit for one text message. */
export const TEXT_MAX = 2000;
/** Files one reply may carry (the server's limit). */
export const FILES_MAX = 10;
/** Where the emoji picker reads its emoji list: served by Parley (angular.json assets), never a CDN. */
export const EMOJI_DATA_URL = '/emoji/data.json';

/** A file the agent added to the reply: uploading, uploaded, or refused. */
export interface ReplyFile {
  key: number;
  name: string;
  size: number;
  /** 0..1 while uploading. */
  progress: number;
  uploaded: UploadedFile | null;
  error: string | null;
  /** A local preview of a picture (an object URL), revoked when the file leaves the reply. */
  preview: string | null;
}

type Panel = 'canned' | 'emoji' | null;

/**
 * Where the agent writes: text (Enter sends, Shift+Enter a new line, at most 2000 characters), the
 * campaign's canned responses, emojis, and files (picked or dropped, uploaded at once with their
 * progress). The draft is kept per chat (DraftStore) so a lost connection or a reload loses nothing.
 */
@Component({
  selector: 'app-composer',
  imports: [
    TextFieldModule,
    MatButtonModule,
    MatIconModule,
    MatProgressBarModule,
    MatTooltipModule,
    ErrorMessage,
  ],
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './composer.html',
  styleUrl: './composer.scss',
})
export class Composer {
  private readonly drafts = inject(DraftStore);
  private readonly uploads = inject(Uploads);
  private readonly replies = inject(Replies);

  readonly interactionId = input.required<string>();
  readonly cannedResponses = input<readonly Pick<CannedResponse, 'id' | 'title' | 'text'>[]>([]);
  /** Why nothing can be sent now (Messenger's window closed), or null. */
  readonly blockedReason = input<string | null>(null);
  /** The reply the server stored (PENDING), to show at once. */
  readonly sent = output<AgentMessageFragment>();

  protected readonly max = TEXT_MAX;
  protected readonly emojiData = EMOJI_DATA_URL;
  protected readonly text = computed(() => this.drafts.get(this.interactionId()));
  protected readonly length = computed(() => this.text().trim().length);
  protected readonly tooLong = computed(() => this.length() > TEXT_MAX);
  protected readonly files = signal<readonly ReplyFile[]>([]);
  protected readonly uploading = computed(() => this.files().some((f) => !f.uploaded && !f.error));
  protected readonly panel = signal<Panel>(null);
  protected readonly cannedFilter = signal('');
  protected readonly cannedShown = computed(() => {
    const words = this.cannedFilter().trim().toLowerCase().split(/\s+/).filter(Boolean);
    return this.cannedResponses().filter((c) => {
      const haystack = `${c.title} ${c.text}`.toLowerCase();
      return words.every((word) => haystack.includes(word));
    });
  });
  protected readonly dragging = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly emojiReady = signal(false);
  protected readonly sending = signal(false);
  protected readonly hasContent = computed(() => this.length() > 0 || this.files().some((f) => f.uploaded));
  protected readonly canSend = computed(
    () =>
      !this.sending() && !this.blockedReason() && !this.tooLong() && !this.uploading() && this.hasContent(),
  );

  private readonly textarea = viewChild.required<ElementRef<HTMLTextAreaElement>>('textarea');
  private readonly uploadsInFlight = new Map<number, Subscription>();
  private nextKey = 1;

  constructor() {
    // Another chat: its own draft, no files of the previous one.
    effect(() => {
      this.interactionId();
      untracked(() => {
        this.clearFiles();
        this.panel.set(null);
        this.error.set(null);
      });
    });
    inject(DestroyRef).onDestroy(() => this.clearFiles());
  }

  protected onInput(event: Event): void {
    const text = (event.target as HTMLTextAreaElement).value;
    this.drafts.set(this.interactionId(), text);
    if (text.trim()) this.replies.typing(this.interactionId());
  }

  protected onKeydown(event: KeyboardEvent): void {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void this.send();
    } else if (event.key === 'Escape' && this.panel()) {
      this.panel.set(null);
    }
  }

  protected toggle(panel: Exclude<Panel, null>): void {
    this.panel.update((open) => (open === panel ? null : panel));
    if (this.panel() === 'emoji') void this.loadEmojiPicker();
    if (this.panel() === 'canned') this.cannedFilter.set('');
  }

  protected insertCanned(response: { text: string }): void {
    this.insert(response.text);
    this.panel.set(null);
  }

  protected insertEmoji(event: Event): void {
    const unicode = (event as CustomEvent<{ unicode?: string }>).detail?.unicode;
    if (unicode) this.insert(unicode);
  }

  protected pickFiles(event: Event): void {
    const input = event.target as HTMLInputElement;
    this.addFiles(Array.from(input.files ?? []));
    input.value = '';
  }

  protected onDragOver(event: DragEvent): void {
    if (!event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    this.dragging.set(true);
  }

  protected onDrop(event: DragEvent): void {
    event.preventDefault();
    this.dragging.set(false);
    this.addFiles(Array.from(event.dataTransfer?.files ?? []));
  }

  protected removeFile(key: number): void {
    this.uploadsInFlight.get(key)?.unsubscribe();
    this.uploadsInFlight.delete(key);
    this.files.update((files) => {
      const gone = files.find((f) => f.key === key);
      if (gone?.preview) URL.revokeObjectURL(gone.preview);
      return files.filter((f) => f.key !== key);
    });
  }

  protected size(bytes: number): string {
    if (bytes < 1024) return `${bytes} B`;
    if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
    return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  }

  /** Sends the text and the uploaded files as one reply; the draft goes once the server has it. */
  protected async send(): Promise<void> {
    if (this.sending()) return;
    if (this.uploading()) {
      this.error.set('Wait until the files are uploaded, then send.');
      return;
    }
    if (this.files().some((f) => f.error)) {
      this.error.set('Remove the files that could not be uploaded, then send.');
      return;
    }
    if (!this.canSend()) return;
    const id = this.interactionId();
    const text = this.text().trim();
    const attachments = this.files().flatMap((f) => (f.uploaded ? [f.uploaded] : []));
    this.error.set(null);
    this.sending.set(true);
    try {
      const message = await this.replies.send(id, text || null, attachments);
      // What was typed while the reply travelled stays.
      if (this.drafts.get(id).trim() === text) this.drafts.clear(id);
      if (id === this.interactionId()) this.clearFiles();
      this.sent.emit(message);
    } catch (error) {
      this.error.set(`Could not send the reply: ${describeError(error)}`);
    } finally {
      this.sending.set(false);
    }
  }

  /** Puts text where the cursor is (or replaces the selection), and the cursor after it. */
  private insert(text: string): void {
    const element = this.textarea().nativeElement;
    const current = this.text();
    const start = element.selectionStart ?? current.length;
    const end = element.selectionEnd ?? current.length;
    const next = current.slice(0, start) + text + current.slice(end);
    this.drafts.set(this.interactionId(), next);
    element.value = next;
    const cursor = start + text.length;
    element.focus();
    element.setSelectionRange(cursor, cursor);
  }

  private addFiles(picked: File[]): void {
    this.error.set(null);
    const room = FILES_MAX - this.files().length;
    if (picked.length > room) {
      this.error.set(`A reply carries at most ${FILES_MAX} files.`);
      picked = picked.slice(0, Math.max(0, room));
    }
    for (const file of picked) {
      const key = this.nextKey++;
      const tooLarge = file.size > UPLOAD_MAX_BYTES;
      this.files.update((files) => [
        ...files,
        {
          key,
          name: file.name,
          size: file.size,
          progress: 0,
          uploaded: null,
          error: tooLarge ? `${file.name} is larger than 25 MB, the most Messenger takes.` : null,
          preview: file.type.startsWith('image/') && !tooLarge ? URL.createObjectURL(file) : null,
        },
      ]);
      if (!tooLarge) this.startUpload(key, file);
    }
  }

  private startUpload(key: number, file: File): void {
    const update = (change: Partial<ReplyFile>) =>
      this.files.update((files) => files.map((f) => (f.key === key ? { ...f, ...change } : f)));
    const subscription = this.uploads.upload(file).subscribe({
      next: (step) => ('done' in step ? update({ uploaded: step.done, progress: 1 }) : update(step)),
      error: (error: unknown) => {
        this.uploadsInFlight.delete(key);
        update({ error: `${file.name} could not be uploaded: ${describeUploadError(error)}` });
      },
      complete: () => this.uploadsInFlight.delete(key),
    });
    this.uploadsInFlight.set(key, subscription);
  }

  private clearFiles(): void {
    for (const subscription of this.uploadsInFlight.values()) subscription.unsubscribe();
    this.uploadsInFlight.clear();
    for (const file of untracked(this.files)) if (file.preview) URL.revokeObjectURL(file.preview);
    this.files.set([]);
  }

  private async loadEmojiPicker(): Promise<void> {
    if (this.emojiReady()) return;
    try {
      // Only when first opened: the picker is a web component of its own, kept out of the main bundle.
      await import('emoji-picker-element');
      this.emojiReady.set(true);
    } catch {
      this.error.set('The emoji list could not be loaded; type emojis from the keyboard instead.');
    }
  }
}
