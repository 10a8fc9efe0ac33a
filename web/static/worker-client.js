// The page's side of one worker (as gradio-lite's worker-proxy is): each request gets an id and
// a promise its reply settles; every failure reaches the page in one shape; and a start-up stage
// that outlasts its deadline is a failure, so no page waits on a worker forever.
// The messages themselves are declared in messages.js.
import { SiteError } from "./errors.js";
import { Stage, Type } from "./messages.js";

/** Why a request will not be answered: its worker has failed (the page was told once, through
 * onFailure) or was closed. */
export class WorkerStopped extends SiteError {
  name = "WorkerStopped";
}

export class WorkerClient {
  #worker;
  #deadlines;
  #on;
  #onFailure;
  #pending = new Map(); // request id -> {resolve, reject}
  #nextId = 1;
  #stage = null;
  #timer = null;
  #stopped = null; // the WorkerStopped error once the worker has stopped

  /**
   * @param worker a Worker (or anything with postMessage, terminate, onmessage and onerror)
   * @param options.deadlines {stage: {ms, message}}: a stage that lasts longer fails the worker
   *   with ``message``; Stage.SCRIPT runs from now until the worker's first message
   * @param options.on {type: handler(message)} for the messages that are not replies
   * @param options.onFailure handler(message) once, when the worker fails
   * @param options.crashed (detail) -> the message when the worker's script fails to run
   */
  constructor(worker, { deadlines = {}, on = {}, onFailure = () => {}, crashed }) {
    this.#worker = worker;
    this.#deadlines = deadlines;
    this.#on = on;
    this.#onFailure = onFailure;
    worker.onmessage = ({ data: message }) => this.#receive(message);
    worker.onerror = (event) => {
      event.preventDefault?.(); // reported on the page, not as an uncaught error
      this.fail(crashed(event.message || "its script failed to load"));
    };
    this.#enter(Stage.SCRIPT);
  }

  /** Send the message ``make(id)`` makes; its reply resolves the promise, or rejects it with
   * a SiteError saying why (a WorkerStopped if the worker stopped first). */
  request(make, transfer = []) {
    if (this.#stopped) return Promise.reject(this.#stopped);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage(make(id), transfer);
    });
  }

  /** Send a message that has no reply; nothing once the worker has stopped. */
  post(message, transfer = []) {
    if (!this.#stopped) this.#worker.postMessage(message, transfer);
  }

  /** The worker cannot go on: stop it, reject what waits, tell the page (once). */
  fail(message) {
    if (this.#stopped) return;
    this.#stop(message);
    this.#onFailure(message);
  }

  /** Stop a worker whose work is done. */
  close() {
    if (!this.#stopped) this.#stop("The worker was closed.");
  }

  #stop(message) {
    this.#stopped = new WorkerStopped(message);
    this.#enter(null);
    this.#worker.terminate();
    for (const { reject } of this.#pending.values()) reject(this.#stopped);
    this.#pending.clear();
  }

  #receive(message) {
    if (this.#stopped) return; // sent before it stopped (a deadline passed meanwhile)
    if (message.type === Type.ERROR && message.id === null) {
      this.fail(message.message);
    } else if (message.id !== undefined) {
      this.#settle(message);
    } else {
      if (message.type === Type.PROGRESS) this.#enter(message.stage);
      else if (this.#stage === Stage.SCRIPT || message.type === Type.READY) this.#enter(null);
      this.#on[message.type]?.(message);
    }
  }

  #settle(message) {
    const pending = this.#pending.get(message.id);
    if (!pending) return; // not a request of this client's: nothing waits for it
    this.#pending.delete(message.id);
    if (message.type === Type.ERROR) pending.reject(new SiteError(message.message));
    else pending.resolve(message);
  }

  /** Start-up is at ``stage`` (null: over); its deadline, if any, runs from its first report. */
  #enter(stage) {
    if (stage === this.#stage) return;
    this.#stage = stage;
    clearTimeout(this.#timer);
    const deadline = this.#deadlines[stage];
    this.#timer = deadline ? setTimeout(() => this.fail(deadline.message), deadline.ms) : null;
  }
}
