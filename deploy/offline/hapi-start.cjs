'use strict';
/**
 * The one place our serverless plugins reach into serverless-offline's web server (hapi): serverless-offline
 * does not expose its server, so `beforeServerStart(name, register)` wraps hapi's `Server.prototype.start` once
 * and calls every registered function with each server just before it starts, after serverless-offline has
 * added its own extensions (so ours run after its onPreResponse). A later registration runs first, as if each
 * plugin had wrapped `start` in turn; a name registers once however often its plugin is loaded.
 */
const Hapi = require('@hapi/hapi');

const HOOKS = Symbol.for('loris-ephys-api.hapi-start-hooks');

function hooksOnPrototype() {
  const prototype = Object.getPrototypeOf(Hapi.server({ autoListen: false }));
  if (!prototype[HOOKS]) {
    const hooks = [];
    const started = new WeakSet();
    const start = prototype.start;
    prototype.start = function startWithHooks(...args) {
      if (!started.has(this)) {
        started.add(this);
        for (const hook of hooks) hook.register(this);
      }
      return start.apply(this, args);
    };
    prototype[HOOKS] = hooks;
  }
  return prototype[HOOKS];
}

function beforeServerStart(name, register) {
  const hooks = hooksOnPrototype();
  if (!hooks.some((hook) => hook.name === name)) hooks.unshift({ name, register });
}

module.exports = { beforeServerStart };
