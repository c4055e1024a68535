import * as fs from "fs";

/** One resource step the engine reported: when it started and ended, and what it did. */
export interface Step {
    urn: string;
    type: string;
    op: string;
    start: number;
    end?: number;
    failed: boolean;
}

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

/**
 * Reads `pulumi up --event-log <file>` (one JSON engine event per line): the steps with
 * their start (resourcePreEvent) and end (resOutputsEvent or resOpFailedEvent) times.
 */
export function readSteps(file: string): Step[] {
    const steps = new Map<string, Step>();
    const lines = fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
    for (const line of lines) {
        const e = JSON.parse(line) as Record<string, any>;
        const at = Number(e.timestamp);
        const pre = e.resourcePreEvent?.metadata;
        const done = e.resOutputsEvent?.metadata ?? e.resOpFailedEvent?.metadata;
        if (pre && pre.op !== "same") {
            steps.set(pre.urn, { urn: pre.urn, type: pre.type, op: pre.op, start: at, failed: false });
        } else if (done && steps.has(done.urn)) {
            const step = steps.get(done.urn)!;
            step.end = at;
            step.failed = Boolean(e.resOpFailedEvent);
        }
    }
    return [...steps.values()];
}

/** Steps that changed something (not `same`, not a read), by resource name. */
export function changed(steps: Step[], type?: string): string[] {
    return steps.filter((s) => (!type || s.type === type) && s.op !== "read" && s.op !== "refresh").map((s) => nameOf(s.urn));
}

/** Whether any two of the given steps ran at the same time. */
export function overlapped(steps: Step[]): boolean {
    return steps.some((a, i) => steps.slice(i + 1).some((b) => a.start < (b.end ?? Infinity) && b.start < (a.end ?? Infinity)));
}

export { nameOf };
