// Writes report.json, junit.xml and (given the page) report.html under <reportsDir>/<timestamp>/.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderJunit } from "./junit";
import { reportDirName, type CheckReport } from "./report";

export function writeReport(reportsDir: string, report: CheckReport, at: Date = new Date(report.finishedAt), html?: string): { dir: string; json: string; junit: string; html?: string } {
  const dir = join(reportsDir, reportDirName(at));
  mkdirSync(dir, { recursive: true });
  const json = join(dir, "report.json");
  const junit = join(dir, "junit.xml");
  writeFileSync(json, JSON.stringify(report, null, 2) + "\n");
  writeFileSync(junit, renderJunit(report));
  if (html === undefined) return { dir, json, junit };
  const page = join(dir, "report.html");
  writeFileSync(page, html);
  return { dir, json, junit, html: page };
}
