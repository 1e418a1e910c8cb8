// The demo. Until tools/local-cloud exists this reports what is ready.
console.log('cfn-safe-deploy: the change-set policy is ready: pnpm --silent changeset-policy --help');
console.log('The local emulator demo (safe-deploy) is not built yet.');
