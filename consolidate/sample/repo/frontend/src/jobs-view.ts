// Renders the job table and wires up the status filter and retry buttons.

import type { ApiClient, Job, JobList, JobStatus } from "./api.js";

function cell(text: string, className?: string): HTMLTableCellElement {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

export class JobsView {
  private status: JobStatus | undefined;

  constructor(
    private readonly api: ApiClient,
    private readonly table: HTMLTableSectionElement,
    private readonly summary: HTMLElement,
    filter: HTMLSelectElement,
  ) {
    filter.addEventListener("change", () => {
      this.status = (filter.value || undefined) as JobStatus | undefined;
      void this.refresh();
    });
  }

  async refresh(): Promise<JobList> {
    const list = await this.api.listJobs(this.status);
    this.render(list);
    return list;
  }

  private render({ jobs, counts }: JobList): void {
    this.summary.textContent = Object.entries(counts)
      .map(([status, count]) => `${count} ${status}`)
      .join(" · ");
    this.table.replaceChildren(...jobs.map((job) => this.row(job)));
  }

  private row(job: Job): HTMLTableRowElement {
    const tr = document.createElement("tr");
    tr.append(
      cell(job.id.slice(0, 8)),
      cell(job.kind),
      cell(job.status, `status-${job.status}`),
      cell(`${job.attempts}/${job.max_attempts}`),
      cell(job.last_error ?? ""),
    );
    const actions = document.createElement("td");
    if (job.status === "dead") {
      const button = document.createElement("button");
      button.textContent = "Retry";
      button.addEventListener("click", async () => {
        button.disabled = true;
        await this.api.retryJob(job.id);
        await this.refresh();
      });
      actions.append(button);
    }
    tr.append(actions);
    return tr;
  }
}
