/**
 * Parses CSV (RFC 4180: quoted fields may hold commas, quotes and newlines), as psql's `--csv`
 * prints rows and as buildx reads an export (one record).
 */
export function parseCsv(text: string): string[][] {
    const rows: string[][] = [];
    let row: string[] = [];
    let field = "";
    let quoted = false;
    let i = 0;
    const endRow = () => {
        row.push(field);
        rows.push(row);
        row = [];
        field = "";
    };
    while (i < text.length) {
        const c = text[i];
        if (quoted) {
            if (c === '"' && text[i + 1] === '"') {
                field += '"';
                i += 2;
                continue;
            }
            if (c === '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c === '"') {
            quoted = true;
        } else if (c === ",") {
            row.push(field);
            field = "";
        } else if (c === "\n") {
            endRow();
        } else if (c !== "\r") {
            field += c;
        }
        i++;
    }
    if (field !== "" || row.length > 0) {
        endRow();
    }
    return rows;
}
