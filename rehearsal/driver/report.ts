/** One scenario's result: what was checked, what was seen. */
export interface ScenarioResult {
    name: string;
    passed: boolean;
    /** What was seen, one line each (a failed check says what it expected). */
    seen: string[];
    seconds: number;
}

export interface Report {
    started: Date;
    scenarios: ScenarioResult[];
    /** `pulumi up`/`preview` durations: what ran and how long. */
    timings: { what: string; seconds: number }[];
    /** What the rehearsal does not run for real, and what it uses instead. */
    substitutes: string[];
    /** Facts about the run: platforms, tool versions, parallel builds. */
    facts: string[];
}

/** The Markdown report: a table of scenarios, then what each saw, timings, substitutes. */
export function renderReport(r: Report): string {
    const passed = r.scenarios.filter((s) => s.passed).length;
    const lines = [
        `# Release rehearsal, ${r.started.toISOString()}`,
        "",
        `**${passed} of ${r.scenarios.length} scenarios passed.**`,
        "",
        "| # | scenario | result | seconds |",
        "| --- | --- | --- | --- |",
        ...r.scenarios.map((s, i) => `| ${i + 1} | ${s.name} | ${s.passed ? "passed" : "**FAILED**"} | ${s.seconds.toFixed(0)} |`),
        "",
        "## What each scenario saw",
    ];
    r.scenarios.forEach((s, i) => {
        lines.push("", `### ${i + 1}. ${s.name}: ${s.passed ? "passed" : "FAILED"}`, "", ...s.seen.map((l) => `- ${l}`));
    });
    lines.push("", "## Timings", "", "| command | seconds |", "| --- | --- |", ...r.timings.map((t) => `| \`${t.what}\` | ${t.seconds.toFixed(1)} |`));
    lines.push("", "## About this run", "", ...r.facts.map((f) => `- ${f}`));
    lines.push("", "## Stand-ins (not the real thing)", "", ...r.substitutes.map((s) => `- ${s}`));
    return lines.join("\n") + "\n";
}
