// A stand-in for a Worker, for the page-side client's tests: it keeps what the page sent, and
// the test makes it speak (say) or fail to run (crash).

export class FakeWorker {
  sent = []; // [{message, transfer}], in order
  terminated = false;
  onmessage = null;
  onerror = null;

  postMessage(message, transfer = []) {
    this.sent.push({ message, transfer });
  }

  terminate() {
    this.terminated = true;
  }

  /** The worker posts ``message`` (cloned, as postMessage does). */
  say(message) {
    this.onmessage({ data: structuredClone(message) });
  }

  /** The worker's script fails to run; returns whether the page kept it from the console. */
  crash(detail) {
    let prevented = false;
    this.onerror({ message: detail, preventDefault: () => { prevented = true; } });
    return prevented;
  }

  /** The messages sent of ``type``. */
  sentOf(type) {
    return this.sent.filter(({ message }) => message.type === type).map(({ message }) => message);
  }
}
