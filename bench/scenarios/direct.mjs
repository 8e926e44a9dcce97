// The upstream itself, no proxy: the floor every proxy's latency is added to.
export default {
  name: 'direct',
  description: 'the upstream itself, no proxy',
  async setup(env) {
    return { url: env.upstream.url };
  },
  async teardown() {},
};
