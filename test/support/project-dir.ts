import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");

/**
 * A project directory with this project's Pulumi.yaml and the given stack files
 * (`{dev: "<yaml>"}` → Pulumi.dev.yaml); its path is added to `temps`, which the test file removes.
 */
export function projectWith(stackFiles: Record<string, string>, temps: string[]): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pgtrickle-project-"));
    temps.push(dir);
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    for (const [name, text] of Object.entries(stackFiles)) {
        fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), text);
    }
    return dir;
}
