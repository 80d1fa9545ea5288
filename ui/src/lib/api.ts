// The commands, unwrapped: each resolves to its data or throws a CairnError whose
// message is one plain sentence from the Rust side. A "locked" error anywhere tells
// the app to clear what it holds and show the unlock screen.

import { Channel } from '@tauri-apps/api/core';
import {
  commands,
  type AddedFile,
  type Added,
  type AppError,
  type AppStatus,
  type Anchor,
  type BackupProgress,
  type BackupReport,
  type BackupStatus,
  type ScrubReport,
  type BundleReport,
  type Choice,
  type Conversation,
  type ConversationKey,
  type ConversationPage,
  type Created,
  type ExportRequest,
  type Exported,
  type Found,
  type Handover,
  type HistoryView,
  type ImportProgress,
  type Imported,
  type Incident,
  type ItemView,
  type OpenKey,
  type Person,
  type Plan,
  type Progress,
  type Receipt,
  type ReceiptCheck,
  type Report,
  type ReportRow,
  type Settings,
  type Source,
  type Strength,
  type TimelineHead,
  type TimelineItem,
} from './bindings';

/** What goes wrong, as the Rust side said it. Branch on `code`, show `message`. */
export class CairnError extends Error {
  readonly code: string;
  readonly retryAfterMs: number | null;

  constructor(code: string, message: string, retryAfterMs: number | null = null) {
    super(message);
    this.name = 'CairnError';
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Shown when something fails without a sentence of its own. */
export const GENERIC_MESSAGE = 'Something went wrong inside Cairn; what was saved before it is kept.';

type Res<T> = { status: 'ok'; data: T } | { status: 'error'; error: AppError };

function isAppError(e: unknown): e is AppError {
  if (typeof e !== 'object' || e === null) return false;
  const o = e as { code?: unknown; message?: unknown };
  return typeof o.code === 'string' && typeof o.message === 'string';
}

/** Turns anything thrown or returned as an error into a CairnError. */
export function toCairnError(e: unknown): CairnError {
  if (e instanceof CairnError) return e;
  if (isAppError(e)) {
    const wait = (e as { retryAfterMs?: unknown }).retryAfterMs;
    return new CairnError(e.code, e.message, typeof wait === 'number' ? wait : null);
  }
  return new CairnError('internal', GENERIC_MESSAGE);
}

let lockedHandler: (() => void) | null = null;

/** Called whenever a command answers "locked". */
export function onLocked(handler: (() => void) | null): void {
  lockedHandler = handler;
}

/** Unwraps one command's result. */
export async function unwrap<T>(pending: Promise<Res<T>>): Promise<T> {
  let r: Res<T>;
  try {
    r = await pending;
  } catch (e) {
    throw toCairnError(e);
  }
  if (r.status === 'ok') return r.data;
  const err = toCairnError(r.error);
  if (err.code === 'locked' && lockedHandler) lockedHandler();
  throw err;
}

/** A fresh id for a cancellable job. */
export function newJobId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return 'job-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Progress messages of a long job, delivered to `onProgress`. */
export function progressChannel<P = Progress>(onProgress: (p: P) => void): Channel<P> {
  const ch = new Channel<P>();
  ch.onmessage = onProgress;
  return ch;
}

export const api = {
  appStatus: (): Promise<AppStatus> => unwrap(commands.appStatus()),
  chooseVaultDir: (dir: string): Promise<AppStatus> => unwrap(commands.chooseVaultDir(dir)),
  passphraseStrength: async (passphrase: string): Promise<Strength> => {
    try {
      return await commands.passphraseStrength(passphrase);
    } catch (e) {
      throw toCairnError(e);
    }
  },
  createVault: (passphrase: string): Promise<Created> => unwrap(commands.createVault(passphrase)),
  unlock: (passphrase: string): Promise<AppStatus> => unwrap(commands.unlock(passphrase)),
  recover: (code: string, newPassphrase: string): Promise<AppStatus> =>
    unwrap(commands.recover(code, newPassphrase)),
  lock: (): Promise<AppStatus> => unwrap(commands.lock()),
  timeline: (): Promise<TimelineItem[]> => unwrap(commands.timeline()),
  timelineHead: (limit: number): Promise<TimelineHead> => unwrap(commands.timelineHead(limit)),
  search: (query: string): Promise<string[]> => unwrap(commands.search(query)),
  item: (id: string): Promise<ItemView> => unwrap(commands.item(id)),
  history: (id: string): Promise<HistoryView> => unwrap(commands.history(id)),
  saveIncident: (id: string | null, incident: Incident): Promise<Added> =>
    unwrap(commands.saveIncident(id, incident)),
  savePerson: (id: string | null, person: Person): Promise<Added> =>
    unwrap(commands.savePerson(id, person)),
  linkItems: (a: string, b: string): Promise<Added> => unwrap(commands.linkItems(a, b)),
  unlinkItems: (link: string): Promise<Added> => unwrap(commands.unlinkItems(link)),
  addFiles: (
    paths: string[],
    linkTo: string | null,
    acquired: string,
    job: string,
    progress: Channel<Progress>,
  ): Promise<AddedFile[]> => unwrap(commands.addFiles(paths, linkTo, acquired, job, progress)),
  cancelJob: async (job: string): Promise<void> => {
    await unwrap(commands.cancelJob(job));
  },
  redact: (id: string, reason: string, current: string | null): Promise<Added> =>
    unwrap(commands.redact(id, reason, current)),
  verify: (quick: boolean, progress: Channel<Progress>): Promise<Report> =>
    unwrap(commands.verify(quick, progress)),
  /** Resolves to a new recovery code when the change had to make one. */
  changePassphrase: (current: string, newPassphrase: string): Promise<string | null> =>
    unwrap(commands.changePassphrase(current, newPassphrase)),
  draftRecoveryCode: (): Promise<string> => unwrap(commands.draftRecoveryCode()),
  replaceRecoveryCode: async (current: string): Promise<void> => {
    await unwrap(commands.replaceRecoveryCode(current));
  },
  saveSettings: (settings: Settings, current: string | null): Promise<AppStatus> =>
    unwrap(commands.saveSettings(settings, current)),
  quickExit: (): Promise<AppStatus> => unwrap(commands.quickExit()),
  restoreLook: (): Promise<null> => unwrap(commands.restoreLook()),
  setDecoy: (passphrase: string, current: string | null): Promise<AppStatus> =>
    unwrap(commands.setDecoy(passphrase, current)),
  removeDecoy: (current: string | null): Promise<AppStatus> => unwrap(commands.removeDecoy(current)),
  planExport: (choice: Choice, initials: string): Promise<Plan> => unwrap(commands.planExport(choice, initials)),
  exportBundle: (
    request: ExportRequest,
    current: string | null,
    job: string,
    progress: Channel<Progress>,
  ): Promise<Exported> => unwrap(commands.exportBundle(request, current, job, progress)),
  bundleIsSealed: async (path: string): Promise<boolean> => {
    try {
      return await commands.bundleIsSealed(path);
    } catch (e) {
      throw toCairnError(e);
    }
  },
  checkBundle: (path: string, key: OpenKey, receipt: string | null): Promise<BundleReport> =>
    unwrap(commands.checkBundle(path, key, receipt)),
  receipt: (): Promise<Receipt> => unwrap(commands.receipt()),
  touch: async (): Promise<void> => {
    await unwrap(commands.touch());
  },
  checkReceipt: (receipt: string): Promise<ReceiptCheck> => unwrap(commands.checkReceipt(receipt)),
  reports: (): Promise<ReportRow[]> => unwrap(commands.reports()),
  saveReport: (id: string | null, report: Handover): Promise<Added> => unwrap(commands.saveReport(id, report)),
  importMessages: (
    source: Source,
    path: string,
    dateOrder: string | null,
    progress: Channel<ImportProgress>,
  ): Promise<Imported> => unwrap(commands.importMessages(source, path, dateOrder, progress)),
  conversations: (): Promise<Conversation[]> => unwrap(commands.conversations()),
  conversationPage: (key: ConversationKey, anchor: Anchor, limit: number): Promise<ConversationPage> =>
    unwrap(commands.conversationPage(key, anchor, limit)),
  searchItems: (query: string, limit: number): Promise<Found> => unwrap(commands.searchItems(query, limit)),
  backupNow: (dest: string, current: string | null, progress: Channel<BackupProgress>): Promise<BackupReport> =>
    unwrap(commands.backupNow(dest, current, progress)),
  backupStatus: (): Promise<BackupStatus> => unwrap(commands.backupStatus()),
  checkBackup: (dest: string, progress: Channel<BackupProgress>): Promise<ScrubReport> =>
    unwrap(commands.checkBackup(dest, progress)),
};
