import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { and, asc, eq, inArray, isNull, ne } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { fromPackageRoot } from '../../paths.js';
import { type ServiceTemplateRow, servicesTable, serviceTemplatesTable } from './services.tables.js';
import { parseTemplate, type ServiceTemplate } from './template-format.js';
import { readTemplateUpload } from './template-upload.js';

export const bundledTemplatesDir = fromPackageRoot('service_templates');

export type TemplateOrigin = 'bundled' | 'uploaded';

export interface TemplateView extends ServiceTemplate {
  origin: TemplateOrigin;
  checksum: string;
  sourceText: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface TemplateChange {
  name: string;
  action: 'installed' | 'upgraded' | 'uploaded' | 'replaced' | 'deleted';
}

declare module '../../pubsub/topics.js' {
  interface TopicMap {
    'templates:changed': TemplateChange;
  }
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const toView = (row: ServiceTemplateRow): TemplateView => ({
  ...row.definition,
  origin: row.origin,
  checksum: row.checksum,
  sourceText: row.sourceText,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

export interface BundledInstallReport {
  installed: string[];
  upgraded: string[];
  /** Present and left alone: uploaded or replaced by an admin, deleted by an admin, or unchanged. */
  kept: string[];
}

declare module '../../managers.types.js' {
  interface Managers {
    templates: TemplateManager;
  }
}

/**
 * Service templates, stored in the database so every instance sees the same set.
 *
 * Bundled templates (service_templates/*.yaml) are installed at start-up: a missing one is
 * inserted, one still in its bundled form is upgraded when the file changed, and one an admin
 * uploaded, replaced or deleted is never touched (a deletion leaves a tombstone for that reason;
 * `restoreBundled` brings the shipped version back on purpose).
 */
export class TemplateManager {
  private readonly changeListeners: (() => void)[] = [];

  constructor(private readonly deps: Deps) {}

  /**
   * Called after a template change commits, before it is published: what this instance derived
   * from templates (the service cache) is forgotten before the change's call returns.
   */
  onChanged(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  private async changed(change: TemplateChange): Promise<void> {
    for (const listener of this.changeListeners) listener();
    await this.deps.bus.publish('templates:changed', null, change);
  }

  async list(): Promise<TemplateView[]> {
    const rows = await this.deps.db
      .select()
      .from(serviceTemplatesTable)
      .where(isNull(serviceTemplatesTable.deletedAt))
      .orderBy(asc(serviceTemplatesTable.name));
    return rows.map(toView);
  }

  /**
   * `lock` (inside a transaction) holds a share lock on the template row, so a concurrent delete
   * waits and then sees the service that was being created from it.
   */
  async find(
    name: string,
    db: DbOrTx = this.deps.db,
    options: { lock?: boolean } = {},
  ): Promise<TemplateView | null> {
    const query = db
      .select()
      .from(serviceTemplatesTable)
      .where(and(eq(serviceTemplatesTable.name, name), isNull(serviceTemplatesTable.deletedAt)));
    const [row] = options.lock ? await query.for('share') : await query;
    return row ? toView(row) : null;
  }

  async get(name: string): Promise<TemplateView> {
    const found = await this.find(name);
    if (!found) throw new NotFoundError('templates/not_found', `Service template '${name}' not found`);
    return found;
  }

  /**
   * The template that describes a built-in service type: the one named like it, else the first (by
   * name) whose `service` is that type. Used for services configured from raw option maps.
   */
  async forServiceType(serviceType: string, db: DbOrTx = this.deps.db): Promise<TemplateView | null> {
    const rows = await db
      .select()
      .from(serviceTemplatesTable)
      .where(and(eq(serviceTemplatesTable.service, serviceType), isNull(serviceTemplatesTable.deletedAt)))
      .orderBy(asc(serviceTemplatesTable.name));
    const row = rows.find((r) => r.name === serviceType) ?? rows[0];
    return row ? toView(row) : null;
  }

  /** Execution names of the configured services built from this template. */
  async usedBy(name: string, db: DbOrTx = this.deps.db): Promise<string[]> {
    const rows = await db
      .select({ name: servicesTable.name })
      .from(servicesTable)
      .where(eq(servicesTable.template, name))
      .orderBy(asc(servicesTable.name));
    return rows.map((r) => r.name);
  }

  /** Upload a template (a .zip with one template file, or the file). Refuses an existing name unless `replace`. */
  async upload(fileName: string, data: Buffer, options: { replace?: boolean } = {}): Promise<TemplateView> {
    const file = await readTemplateUpload(fileName, data);
    const template = parseTemplate(file.text, file.fileName, file.baseName);
    const now = this.deps.clock.now();
    const view = await this.deps.db.transaction(async (tx) => {
      const existing = await this.lockRow(tx, template.name);
      if (existing && existing.deletedAt === null && !options.replace)
        throw new ValidationError(
          'templates/exists',
          `Service template '${template.name}' already exists: replace it instead`,
          'name',
        );
      return this.write(tx, template, file.text, 'uploaded', now, existing);
    });
    await this.changed({ name: view.name, action: 'uploaded' });
    return view;
  }

  /** Replace an existing template; the new file must carry the same name. Configured services keep their options. */
  async replace(name: string, fileName: string, data: Buffer): Promise<TemplateView> {
    const file = await readTemplateUpload(fileName, data);
    const template = parseTemplate(file.text, file.fileName, file.baseName);
    if (template.name !== name)
      throw new ValidationError(
        'templates/name_mismatch',
        `The uploaded template is named '${template.name}', not '${name}'`,
        'name',
      );
    const now = this.deps.clock.now();
    const view = await this.deps.db.transaction(async (tx) => {
      const existing = await this.lockRow(tx, name);
      if (!existing || existing.deletedAt !== null)
        throw new NotFoundError('templates/not_found', `Service template '${name}' not found`);
      return this.write(tx, template, file.text, 'uploaded', now, existing);
    });
    await this.changed({ name, action: 'replaced' });
    return view;
  }

  /** Deletes a template no configured service uses (otherwise a 409 naming them). */
  async delete(name: string): Promise<string> {
    await this.deps.db.transaction(async (tx) => {
      const [existing] = await tx
        .select()
        .from(serviceTemplatesTable)
        .where(and(eq(serviceTemplatesTable.name, name), isNull(serviceTemplatesTable.deletedAt)))
        .for('update');
      if (!existing) throw new NotFoundError('templates/not_found', `Service template '${name}' not found`);
      const users = await this.usedBy(name, tx);
      if (users.length > 0)
        throw new ConflictError(
          'templates/in_use',
          `Service template '${name}' is used by ${users.length === 1 ? 'service' : 'services'} ${users.join(', ')}; delete ${users.length === 1 ? 'it' : 'them'} first`,
        );
      await tx
        .update(serviceTemplatesTable)
        .set({ deletedAt: this.deps.clock.now(), updatedAt: this.deps.clock.now() })
        .where(eq(serviceTemplatesTable.name, name));
    });
    await this.changed({ name, action: 'deleted' });
    return name;
  }

  /** Reinstalls the bundled version of a template, over an upload or a deletion. */
  async restoreBundled(name: string): Promise<TemplateView> {
    const bundled = (await this.readBundled()).find((b) => b.template.name === name);
    if (!bundled)
      throw new NotFoundError('templates/not_bundled', `No bundled service template is named '${name}'`);
    const now = this.deps.clock.now();
    const view = await this.deps.db.transaction(async (tx) => {
      const existing = await this.lockRow(tx, name);
      return this.write(tx, bundled.template, bundled.text, 'bundled', now, existing);
    });
    await this.changed({ name, action: 'installed' });
    return view;
  }

  /**
   * Provisioning: makes template `template.name` this admin template (origin uploaded). Writes
   * nothing when the stored definition is already the same, so applying a file twice changes nothing.
   */
  async applyProvisioned(
    template: ServiceTemplate,
    text: string,
  ): Promise<'created' | 'updated' | 'unchanged'> {
    const now = this.deps.clock.now();
    const outcome = await this.deps.db.transaction(async (tx) => {
      // Insert first: an instance applying the same file at the same moment waits here, then compares.
      const inserted = await tx
        .insert(serviceTemplatesTable)
        .values({
          name: template.name,
          service: template.service,
          type: template.type,
          definition: template,
          sourceText: text,
          checksum: sha256(text),
          origin: 'uploaded',
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing()
        .returning({ name: serviceTemplatesTable.name });
      if (inserted.length > 0) return 'created' as const;
      const existing = await this.lockRow(tx, template.name);
      if (
        existing &&
        existing.deletedAt === null &&
        existing.origin === 'uploaded' &&
        JSON.stringify(existing.definition) === JSON.stringify(template)
      )
        return 'unchanged' as const;
      await this.write(tx, template, text, 'uploaded', now, existing);
      return existing && existing.deletedAt === null ? ('updated' as const) : ('created' as const);
    });
    if (outcome !== 'unchanged')
      await this.changed({
        name: template.name,
        action: outcome === 'created' ? 'uploaded' : 'replaced',
      });
    return outcome;
  }

  /** Templates admins uploaded or replaced (the provisioning export carries these; bundled ones ship with the server). */
  async listUploaded(): Promise<TemplateView[]> {
    return (await this.list()).filter((t) => t.origin === 'uploaded');
  }

  /** Start-up step: idempotent, safe when several instances run it at once. */
  async installBundled(dir: string = bundledTemplatesDir): Promise<BundledInstallReport> {
    const report: BundledInstallReport = { installed: [], upgraded: [], kept: [] };
    const now = this.deps.clock.now();
    // What is there already, in one read: a start with nothing to change (every start but the first
    // after an upgrade) writes nothing, instead of an insert and an update per template. The writes
    // below still check the same conditions themselves, so instances starting together stay safe.
    const bundled = await this.readBundled(dir);
    const names = bundled.map((b) => b.template.name);
    const present = new Map(
      names.length === 0
        ? []
        : (
            await this.deps.db
              .select({
                name: serviceTemplatesTable.name,
                origin: serviceTemplatesTable.origin,
                checksum: serviceTemplatesTable.checksum,
                deletedAt: serviceTemplatesTable.deletedAt,
              })
              .from(serviceTemplatesTable)
              .where(inArray(serviceTemplatesTable.name, names))
          ).map((row) => [row.name, row]),
    );
    for (const { template, text } of bundled) {
      const checksum = sha256(text);
      const row = present.get(template.name);
      if (row && (row.origin !== 'bundled' || row.deletedAt !== null || row.checksum === checksum)) {
        report.kept.push(template.name);
        continue;
      }
      const inserted = await this.deps.db
        .insert(serviceTemplatesTable)
        .values({
          name: template.name,
          service: template.service,
          type: template.type,
          definition: template,
          sourceText: text,
          checksum,
          origin: 'bundled',
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing()
        .returning({ name: serviceTemplatesTable.name });
      if (inserted.length > 0) {
        report.installed.push(template.name);
        continue;
      }
      const upgraded = await this.deps.db
        .update(serviceTemplatesTable)
        .set({
          service: template.service,
          type: template.type,
          definition: template,
          sourceText: text,
          checksum,
          updatedAt: now,
        })
        .where(
          and(
            eq(serviceTemplatesTable.name, template.name),
            eq(serviceTemplatesTable.origin, 'bundled'),
            isNull(serviceTemplatesTable.deletedAt),
            ne(serviceTemplatesTable.checksum, checksum),
          ),
        )
        .returning({ name: serviceTemplatesTable.name });
      if (upgraded.length > 0) report.upgraded.push(template.name);
      else report.kept.push(template.name);
    }
    for (const name of [...report.installed, ...report.upgraded])
      await this.changed({
        name,
        action: report.installed.includes(name) ? 'installed' : 'upgraded',
      });
    return report;
  }

  private async readBundled(dir: string = bundledTemplatesDir) {
    const files = (await readdir(dir))
      .filter((f) => ['.yaml', '.yml'].includes(extname(f).toLowerCase()))
      .sort();
    const out: { template: ServiceTemplate; text: string }[] = [];
    for (const f of files) {
      const text = await readFile(join(dir, f), 'utf8');
      out.push({ template: parseTemplate(text, join(dir, f), basename(f, extname(f))), text });
    }
    return out;
  }

  /** The template's row, deleted or not, locked until the transaction ends (null if there is none). */
  private async lockRow(tx: DbOrTx, name: string): Promise<ServiceTemplateRow | null> {
    const [row] = await tx
      .select()
      .from(serviceTemplatesTable)
      .where(eq(serviceTemplatesTable.name, name))
      .for('update');
    return row ?? null;
  }

  private async write(
    tx: DbOrTx,
    template: ServiceTemplate,
    text: string,
    origin: 'bundled' | 'uploaded',
    now: Date,
    existing: ServiceTemplateRow | null,
  ): Promise<TemplateView> {
    const values = {
      service: template.service,
      type: template.type,
      definition: template,
      sourceText: text,
      checksum: sha256(text),
      origin,
      deletedAt: null,
      updatedAt: now,
    };
    const [row] = existing
      ? await tx
          .update(serviceTemplatesTable)
          .set(values)
          .where(eq(serviceTemplatesTable.name, template.name))
          .returning()
      : await tx
          .insert(serviceTemplatesTable)
          .values({ name: template.name, createdAt: now, ...values })
          .onConflictDoNothing()
          .returning();
    // Only a concurrent write of the same name gets here without a row.
    if (!row)
      throw new ValidationError(
        'templates/exists',
        `Service template '${template.name}' was just created by another request`,
        'name',
      );
    return toView(row);
  }
}
