import { createRequire } from 'node:module';
import type ExcelJS from 'exceljs';

/**
 * Pictures on a sheet of exceljs's *streaming* writer. In exceljs 4.4.0 the
 * streaming WorksheetWriter has no `addImage` (exceljs issues #322, #1709, #2918;
 * the README says images are unsupported in streaming mode; PR #2201 is
 * unmerged). The workbook writer does keep a media list (`workbook.addImage`
 * stores the PNG under xl/media), so what is missing is the drawing part that
 * places them. We write it as exceljs's own document writer would (same XML,
 * checked against an xlsx it wrote): the drawing and its relationships into the
 * zip, a `<drawing r:id>` in the sheet, and the drawing's content type.
 * It touches internals of the pinned exceljs 4.4.0; the test reopens the file
 * with exceljs's reader and finds the pictures, so an upgrade that breaks this fails there.
 */

const requireCjs = createRequire(import.meta.url);
type ContentTypesXform = new () => { toXml(model: unknown): string };
const ContentTypes = requireCjs('exceljs/lib/xlsx/xform/core/content-types-xform.js') as ContentTypesXform;

const REL_DRAWING = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing';
const REL_IMAGE = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/image';
const EMU_PER_PIXEL = 9525;

/** The parts of exceljs 4.4.0's streaming writers this module relies on. */
interface WorkbookInternals {
  zip: { append(data: string, options: { name: string }): void };
  media: { name: string }[];
  _worksheets: unknown[];
  sharedStrings: unknown;
  commentRefs: unknown[];
  addContentTypes(): Promise<void>;
  drawingNames?: string[];
}
interface WorksheetInternals {
  id: number;
  stream: { write(xml: string): void };
  _sheetRelsWriter: { addRelationship(rel: { Type: string; Target: string }): string };
  _writeLegacyData(): void;
}

export interface PlacedImage {
  /** Id from `workbook.addImage`. */
  imageId: number;
  /** Top-left cell, 0-based. */
  col: number;
  row: number;
  /** Size in pixels. */
  width: number;
  height: number;
}

function pictureXml(image: PlacedImage, index: number): string {
  const n = index + 1;
  return '<xdr:oneCellAnchor editAs="oneCell">'
    + `<xdr:from><xdr:col>${image.col}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>${image.row}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>`
    + `<xdr:ext cx="${Math.round(image.width * EMU_PER_PIXEL)}" cy="${Math.round(image.height * EMU_PER_PIXEL)}"/>`
    + `<xdr:pic><xdr:nvPicPr><xdr:cNvPr id="${n}" name="Picture ${n}"/><xdr:cNvPicPr><a:picLocks noChangeAspect="1"/></xdr:cNvPicPr></xdr:nvPicPr>`
    + `<xdr:blipFill><a:blip xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:embed="rId${n}" cstate="print"/>`
    + '<a:stretch><a:fillRect/></a:stretch></xdr:blipFill>'
    + '<xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr>'
    + '</xdr:pic><xdr:clientData/></xdr:oneCellAnchor>';
}

/**
 * Places `images` on `sheet` (a streaming sheet not yet committed). Call before
 * `sheet.commit()`; the drawing is referenced when the sheet closes.
 */
export function placeImages(workbook: ExcelJS.stream.xlsx.WorkbookWriter, sheet: ExcelJS.Worksheet, images: PlacedImage[]): void {
  if (images.length === 0) return;
  const book = workbook as unknown as WorkbookInternals;
  const writer = sheet as unknown as WorksheetInternals;
  const name = `drawing${writer.id}`;

  const drawing = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    + '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
    + images.map(pictureXml).join('') + '</xdr:wsDr>';
  const rels = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    + images.map((image, i) => {
      const medium = book.media[image.imageId];
      if (!medium) throw new Error(`no image ${image.imageId} in the workbook`);
      return `<Relationship Id="rId${i + 1}" Type="${REL_IMAGE}" Target="../media/${medium.name}"/>`;
    }).join('') + '</Relationships>';
  book.zip.append(drawing, { name: `xl/drawings/${name}.xml` });
  book.zip.append(rels, { name: `xl/drawings/_rels/${name}.xml.rels` });

  // The sheet's <drawing> goes right before <legacyDrawing>, where the schema wants it.
  const writeLegacyData = writer._writeLegacyData.bind(writer);
  writer._writeLegacyData = () => {
    const rId = writer._sheetRelsWriter.addRelationship({ Type: REL_DRAWING, Target: `../drawings/${name}.xml` });
    writer.stream.write(`<drawing r:id="${rId}"/>`);
    writeLegacyData();
  };

  // The writer's [Content_Types].xml knows no drawings: list ours with the rest.
  if (!book.drawingNames) {
    book.drawingNames = [];
    book.addContentTypes = async () => {
      const model = {
        worksheets: book._worksheets.filter(Boolean),
        sharedStrings: book.sharedStrings,
        commentRefs: book.commentRefs,
        media: book.media,
        drawings: book.drawingNames!.map((drawingName) => ({ name: drawingName })),
      };
      book.zip.append(new ContentTypes().toXml(model), { name: '[Content_Types].xml' });
    };
  }
  book.drawingNames.push(name);
}
