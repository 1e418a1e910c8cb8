import { createApp } from './app.js';

createApp().app.synth();
