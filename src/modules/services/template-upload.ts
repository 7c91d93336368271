import { basename, extname } from 'node:path';
import type JSZip from 'jszip';
import { ValidationError } from '../../errors.js';

/** Largest template file accepted (uncompressed); the bundled callback template is ~25 KB. */
export const MAX_TEMPLATE_BYTES = 1024 * 1024;
const MAX_ZIP_ENTRIES = 200;
const templateExtensions = new Set(['.yaml', '.yml', '.json']);

export interface TemplateFile {
  /** The template file's base name without extension: the template's `name` must equal it. */
  baseName: string;
  fileName: string;
  text: string;
}

const isZip = (data: Buffer) => data.length >= 4 && data.readUInt32LE(0) === 0x04034b50;

function decodeUtf8(data: Buffer, fileName: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new ValidationError('templates/not_utf8', `${fileName} is not UTF-8 text`, 'file');
  }
}

function templateFile(fileName: string, data: Buffer): TemplateFile {
  const ext = extname(fileName).toLowerCase();
  if (!templateExtensions.has(ext))
    throw new ValidationError(
      'templates/unsupported_file',
      `Upload a .zip holding one template, or the template itself (.yaml, .yml or .json); got '${fileName}'`,
      'file',
    );
  return { baseName: basename(fileName, extname(fileName)), fileName, text: decodeUtf8(data, fileName) };
}

/** Inflates one entry, refusing to go past the size cap (a zip bomb never gets expanded in full). */
function readCapped(entry: JSZip.JSZipObject): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const stream = entry.nodeStream('nodebuffer');
    stream.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > MAX_TEMPLATE_BYTES) {
        (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
        reject(
          new ValidationError(
            'templates/too_large',
            `${entry.name} is larger than ${MAX_TEMPLATE_BYTES} bytes`,
            'file',
          ),
        );
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', (err: Error) =>
      reject(new ValidationError('templates/bad_zip', `Cannot read ${entry.name}: ${err.message}`, 'file')),
    );
  });
}

/**
 * Accepts what the Service Templates page accepts: a .zip holding exactly one template file
 * (folders and macOS metadata are ignored), or the template file itself.
 */
export async function readTemplateUpload(fileName: string, data: Buffer): Promise<TemplateFile> {
  if (!isZip(data)) {
    if (data.length > MAX_TEMPLATE_BYTES)
      throw new ValidationError(
        'templates/too_large',
        `${fileName} is larger than ${MAX_TEMPLATE_BYTES} bytes`,
        'file',
      );
    if (extname(fileName).toLowerCase() === '.zip')
      throw new ValidationError('templates/bad_zip', `${fileName} is not a zip archive`, 'file');
    return templateFile(basename(fileName), data);
  }
  let zip: JSZip;
  try {
    // Loaded on first use: only zip uploads need it.
    const { default: zipReader } = await import('jszip');
    zip = await zipReader.loadAsync(data, { createFolders: false });
  } catch (err) {
    throw new ValidationError(
      'templates/bad_zip',
      `${fileName} is not a readable zip: ${(err as Error).message}`,
      'file',
    );
  }
  const entries = Object.values(zip.files);
  if (entries.length > MAX_ZIP_ENTRIES)
    throw new ValidationError(
      'templates/bad_zip',
      `${fileName} holds more than ${MAX_ZIP_ENTRIES} entries`,
      'file',
    );
  const candidates = entries.filter(
    (e) =>
      !e.dir &&
      !e.name.startsWith('__MACOSX/') &&
      !basename(e.name).startsWith('.') &&
      templateExtensions.has(extname(e.name).toLowerCase()),
  );
  if (candidates.length !== 1)
    throw new ValidationError(
      'templates/bad_zip',
      candidates.length === 0
        ? `${fileName} holds no template file (.yaml, .yml or .json)`
        : `${fileName} holds ${candidates.length} template files (${candidates.map((c) => c.name).join(', ')}); upload one template per zip`,
      'file',
    );
  const entry = candidates[0] as JSZip.JSZipObject;
  return templateFile(basename(entry.name), await readCapped(entry));
}
