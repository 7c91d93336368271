import type PDFDocumentType from 'pdfkit';
import type { ResolvedRange } from './report.ranges.js';
import type {
  Cell,
  ExportChart,
  ExportDocument,
  ExportFormat,
  ExportSheet,
  ReportKind,
} from './report.types.js';

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
};

/** `callback-report-last-7-days-2026-11-28.csv`: the report, its preset and the range's first day (UTC). */
export function exportFilename(report: ReportKind, format: ExportFormat, r: ResolvedRange): string {
  const stamp = r.from.toISOString().slice(0, 10);
  return `${report}-report-${r.preset.toLowerCase().replaceAll('_', '-')}-${stamp}.${format}`;
}

/** Writes a report document as CSV, xlsx or PDF. */
export async function renderExport(
  doc: ExportDocument,
  format: ExportFormat,
): Promise<Uint8Array<ArrayBuffer>> {
  switch (format) {
    case 'csv':
      return new TextEncoder().encode(toCsv(doc));
    case 'xlsx':
      return toXlsx(doc);
    case 'pdf':
      return toPdf(doc, (await import('pdfkit')).default);
  }
}

// ---------------------------------------------------------------------------------------------------
// CSV (RFC 4180): every table, each with its header row, separated by an empty line.

function csvCell(value: Cell): string {
  if (value === null) return '';
  const text = String(value);
  // Leading =,+,-,@ would be formulas in a spreadsheet: neutralised for text cells.
  const safe = typeof value === 'string' && /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function toCsv(doc: ExportDocument): string {
  const lines: string[] = [];
  doc.sheets.forEach((sheet, i) => {
    if (i > 0) lines.push('');
    lines.push(sheet.columns.map(csvCell).join(','));
    for (const row of sheet.rows) lines.push(row.map(csvCell).join(','));
  });
  return `${lines.join('\r\n')}\r\n`;
}

// ---------------------------------------------------------------------------------------------------
// xlsx: one worksheet per table, plus the report's title and range on a first "Report" sheet.

async function toXlsx(doc: ExportDocument): Promise<Uint8Array<ArrayBuffer>> {
  // exceljs and pdfkit take ~0.5 s each to load: only exports need them, so they load on first use.
  const ExcelJS = (await import('exceljs')).default;
  const book = new ExcelJS.Workbook();
  book.creator = 'GMS Engage';
  const info = book.addWorksheet('Report');
  info.addRow([doc.title]).font = { bold: true, size: 14 };
  info.addRow([doc.subtitle]);
  info.getColumn(1).width = 90;
  for (const sheet of doc.sheets) {
    const ws = book.addWorksheet(sheet.name.slice(0, 31));
    ws.addRow(sheet.columns).font = { bold: true };
    for (const row of sheet.rows) ws.addRow(row);
    ws.views = [{ state: 'frozen', ySplit: 1 }];
    sheet.columns.forEach((c, i) => {
      ws.getColumn(i + 1).width = Math.max(10, c.length + 2, i === 0 ? 18 : 0);
    });
  }
  const buffer = await book.xlsx.writeBuffer();
  return new Uint8Array(buffer as ArrayBuffer);
}

// ---------------------------------------------------------------------------------------------------
// PDF: title, range, a bar chart drawn with vector primitives, then the tables (paginated).

const PAGE = { width: 841.89, height: 595.28, margin: 36 }; // A4 landscape, points
const PALETTE = ['#2f6db5', '#e08a1e', '#3a9a5b', '#c0392b', '#7d5ba6'];

function toPdf(doc: ExportDocument, PDFDocument: typeof PDFDocumentType): Promise<Uint8Array<ArrayBuffer>> {
  const pdf = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: PAGE.margin,
    info: { Title: doc.title, Creator: 'GMS Engage' },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Uint8Array<ArrayBuffer>>((resolve, reject) => {
    pdf.on('data', (c: Buffer) => chunks.push(c));
    pdf.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    pdf.on('error', reject);
  });
  pdf.font('Helvetica-Bold').fontSize(18).text(doc.title, PAGE.margin, PAGE.margin);
  pdf.font('Helvetica').fontSize(10).fillColor('#444').text(doc.subtitle).fillColor('black');
  drawBarChart(pdf, doc.chart, {
    x: PAGE.margin,
    y: pdf.y + 12,
    width: PAGE.width - 2 * PAGE.margin,
    height: 300,
  });
  for (const sheet of doc.sheets) {
    pdf.addPage();
    drawTable(pdf, sheet);
  }
  pdf.end();
  return done;
}

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function drawBarChart(
  pdf: PDFKit.PDFDocument,
  chart: ExportChart,
  box: { x: number; y: number; width: number; height: number },
): void {
  pdf.font('Helvetica-Bold').fontSize(12).text(chart.title, box.x, box.y);
  const top = box.y + 22;
  const legendY = top;
  let lx = box.x;
  chart.series.forEach((s, i) => {
    pdf.rect(lx, legendY + 1, 9, 9).fill(PALETTE[i % PALETTE.length] ?? 'black');
    pdf
      .fillColor('black')
      .font('Helvetica')
      .fontSize(9)
      .text(s.name, lx + 13, legendY, { lineBreak: false });
    lx += 13 + pdf.widthOfString(s.name) + 18;
  });
  const axisLeft = box.x + 40;
  const plotTop = top + 20;
  const plotBottom = box.y + box.height - 40;
  const plotHeight = plotBottom - plotTop;
  const plotWidth = box.x + box.width - axisLeft;
  const max = niceMax(Math.max(0, ...chart.series.flatMap((s) => s.values)));

  // Grid and y axis labels.
  pdf.lineWidth(0.5);
  for (let i = 0; i <= 4; i++) {
    const y = plotBottom - (plotHeight * i) / 4;
    pdf
      .strokeColor('#dddddd')
      .moveTo(axisLeft, y)
      .lineTo(axisLeft + plotWidth, y)
      .stroke();
    const value = (max * i) / 4;
    pdf
      .fillColor('#444')
      .fontSize(8)
      .text(Number.isInteger(value) ? String(value) : value.toFixed(1), box.x, y - 4, {
        width: 34,
        align: 'right',
        lineBreak: false,
      });
  }
  pdf
    .strokeColor('black')
    .lineWidth(1)
    .moveTo(axisLeft, plotTop)
    .lineTo(axisLeft, plotBottom)
    .lineTo(axisLeft + plotWidth, plotBottom)
    .stroke();

  const n = Math.max(1, chart.categories.length);
  const slot = plotWidth / n;
  const barWidth = Math.max(0.5, (slot * 0.8) / Math.max(1, chart.series.length));
  chart.series.forEach((s, si) => {
    const color = PALETTE[si % PALETTE.length] ?? 'black';
    s.values.forEach((v, ci) => {
      if (v <= 0) return;
      const h = (v / max) * plotHeight;
      pdf.rect(axisLeft + ci * slot + slot * 0.1 + si * barWidth, plotBottom - h, barWidth, h).fill(color);
    });
  });
  // Category labels: at most ~16, evenly spaced.
  const every = Math.max(1, Math.ceil(n / 16));
  pdf.fillColor('#444').fontSize(7);
  chart.categories.forEach((c, i) => {
    if (i % every !== 0) return;
    pdf.text(c, axisLeft + i * slot, plotBottom + 4, { width: Math.max(slot * every, 40), lineBreak: false });
  });
  pdf.fillColor('black').strokeColor('black');
  pdf.x = box.x;
  pdf.y = box.y + box.height;
}

function drawTable(pdf: PDFKit.PDFDocument, sheet: ExportSheet): void {
  const width = PAGE.width - 2 * PAGE.margin;
  const colWidth = width / Math.max(1, sheet.columns.length);
  const rowHeight = 14;
  const bottom = PAGE.height - PAGE.margin;
  const header = () => {
    pdf.font('Helvetica-Bold').fontSize(12).fillColor('black').text(sheet.name, PAGE.margin, PAGE.margin);
    let y = pdf.y + 6;
    pdf.font('Helvetica-Bold').fontSize(8);
    sheet.columns.forEach((c, i) => {
      pdf.text(c, PAGE.margin + i * colWidth, y, { width: colWidth - 4, lineBreak: false, ellipsis: true });
    });
    y += rowHeight;
    pdf
      .lineWidth(0.5)
      .moveTo(PAGE.margin, y - 3)
      .lineTo(PAGE.margin + width, y - 3)
      .stroke();
    pdf.font('Helvetica').fontSize(8);
    return y;
  };
  let y = header();
  if (sheet.rows.length === 0) pdf.text('No activity in this range.', PAGE.margin, y);
  for (const row of sheet.rows) {
    if (y + rowHeight > bottom) {
      pdf.addPage();
      y = header();
    }
    row.forEach((cell, i) => {
      pdf.text(cell === null ? '' : String(cell), PAGE.margin + i * colWidth, y, {
        width: colWidth - 4,
        lineBreak: false,
        ellipsis: true,
      });
    });
    y += rowHeight;
  }
}
