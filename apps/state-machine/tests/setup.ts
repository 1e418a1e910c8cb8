import '../src/promise-with-resolvers.js';
