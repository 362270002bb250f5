// Thin client for the backend HTTP API (backend/app.py).

export type JobStatus = "queued" | "running" | "succeeded" | "dead";

export interface Job {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  run_at: number;
  created_at: number;
  updated_at: number;
  last_error: string | null;
}

export interface JobList {
  jobs: Job[];
  counts: Record<JobStatus, number>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export class ApiClient {
  constructor(private readonly baseUrl: string) {}

  async health(): Promise<{ status: string; version: string }> {
    return this.request("GET", "/health");
  }

  async listJobs(status?: JobStatus, limit = 50): Promise<JobList> {
    const params = new URLSearchParams({ limit: String(limit) });
    if (status) params.set("status", status);
    return this.request("GET", `/jobs?${params}`);
  }

  async getJob(id: string): Promise<Job> {
    return this.request("GET", `/jobs/${encodeURIComponent(id)}`);
  }

  async createJob(kind: string, payload: Record<string, unknown> = {}): Promise<Job> {
    return this.request("POST", "/jobs", { kind, payload });
  }

  async retryJob(id: string): Promise<Job> {
    return this.request("POST", `/jobs/${encodeURIComponent(id)}/retry`);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: body === undefined ? undefined : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new ApiError(response.status, (data as { error?: string }).error ?? response.statusText);
    }
    return data as T;
  }
}
