import './provided-context.js';
import type { TestProject } from 'vitest/node';
import { startMoto } from './moto.js';

/**
 * vitest globalSetup: starts one moto server for the run, provides its endpoint to the tests
 * (`inject('motoEndpoint')`) and stops it afterwards.
 */
export default async function setup(project: Pick<TestProject, 'provide'>): Promise<() => Promise<void>> {
  const moto = await startMoto();
  project.provide('motoEndpoint', moto.endpoint);
  return () => moto.stop();
}
