import { ApiClient } from "./api.js";
import { AiOrchestratorService } from "./ai-orchestrator.service.js";
import { JobsView } from "./jobs-view.js";

declare global {
  interface Window {
    TASKHUB_API?: string;
  }
}

const REFRESH_MS = 5000;

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`missing #${id}`);
  return element as T;
}

async function showHints(assistant: AiOrchestratorService, box: HTMLElement): Promise<void> {
  const suggestions = await assistant.suggestForDeadJobs();
  box.hidden = suggestions.length === 0;
  box.replaceChildren(
    ...suggestions.map((s) => {
      const p = document.createElement("p");
      p.textContent = `${s.jobId.slice(0, 8)}: ${s.action} (${s.reason})`;
      return p;
    }),
  );
}

async function main(): Promise<void> {
  const api = new ApiClient(window.TASKHUB_API ?? "http://localhost:8000");
  const view = new JobsView(api, byId("jobs"), byId("summary"), byId("status-filter"));
  const assistant = new AiOrchestratorService(api);
  const hints = byId<HTMLElement>("hints");

  const tick = async (): Promise<void> => {
    try {
      const list = await view.refresh();
      if (list.counts.dead > 0) await showHints(assistant, hints);
      else hints.hidden = true;
    } catch (error) {
      byId("summary").textContent = `Backend unreachable: ${String(error)}`;
    }
  };
  await tick();
  setInterval(() => void tick(), REFRESH_MS);
}

void main();
