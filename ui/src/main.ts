import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';

performance.mark('gatehouse:script');
// When WebKit paints its first frame (read by the window benchmark).
requestAnimationFrame(() => performance.mark('gatehouse:first-frame'));
const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

export default mount(App, { target });
