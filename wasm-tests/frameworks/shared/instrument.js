// Counts the Subjects the bindings make and free, so the test sees their lifetime.
export function instrument(drf) {
  const stats = { created: 0, freed: 0, gatesCreated: 0, gatesFreed: 0 };
  window.__gateStats = stats;
  const proto = drf.Gate.prototype;
  const subject = proto.subject;
  proto.subject = function (user) {
    const made = subject.call(this, user);
    stats.created += 1;
    const free = made.free;
    let done = false;
    made.free = function () {
      if (!done) {
        done = true;
        stats.freed += 1;
      }
      return free.call(this);
    };
    return made;
  };
  const gateFree = proto.free;
  proto.free = function () {
    stats.gatesFreed += 1;
    return gateFree.call(this);
  };
}
