// Suggests what to do about failing jobs in the UI ("retry", "check the
// webhook URL", ...). Rule-based for now; the name dates from the plan to
// back it with an LLM. It only talks to the backend API.

import type { ApiClient, Job } from "./api.js";

export interface Suggestion {
  jobId: string;
  action: "retry" | "inspect" | "ignore";
  reason: string;
}

const TRANSIENT = [/timed? ?out/i, /connection (refused|reset)/i, /temporar/i, /\b50[234]\b/];
const CONFIGURATION = [/no handler registered/i, /KeyError/, /\b40[0134]\b/];

export class AiOrchestratorService {
  constructor(private readonly api: ApiClient) {}

  suggest(job: Job): Suggestion {
    const error = job.last_error ?? "";
    if (CONFIGURATION.some((pattern) => pattern.test(error))) {
      return { jobId: job.id, action: "inspect", reason: `Looks like a configuration problem: ${error}` };
    }
    if (TRANSIENT.some((pattern) => pattern.test(error))) {
      return { jobId: job.id, action: "retry", reason: "The last error looks transient." };
    }
    if (job.kind === "cleanup-expired") {
      return { jobId: job.id, action: "ignore", reason: "Cleanup runs again tonight." };
    }
    return { jobId: job.id, action: "inspect", reason: "Unrecognised failure." };
  }

  async suggestForDeadJobs(limit = 20): Promise<Suggestion[]> {
    const { jobs } = await this.api.listJobs("dead", limit);
    return jobs.map((job) => this.suggest(job));
  }

  // Retries every dead job whose suggestion is "retry"; returns how many.
  async applyRetries(suggestions: Suggestion[]): Promise<number> {
    const retries = suggestions.filter((s) => s.action === "retry");
    await Promise.all(retries.map((s) => this.api.retryJob(s.jobId)));
    return retries.length;
  }
}
