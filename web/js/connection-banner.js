// Tells the user when the live connection to SecCam is down (statuses may be stale then),
// and sends them to sign in when their session has ended.

import { SignalingState } from './signaling.js';
import { urls } from './ui.js';

export function showConnectionState(signalingConnection, banner) {
  const update = () => {
    const state = signalingConnection.state;
    banner.hidden = state === SignalingState.OPEN || state === SignalingState.CONNECTING;
    banner.textContent = state === SignalingState.RECONNECTING ? 'Connection to SecCam lost. Reconnecting… (statuses may be out of date)' : '';
  };
  signalingConnection.addEventListener('statechange', update);
  signalingConnection.addEventListener('signedout', () => location.replace(urls.signIn(location.pathname + location.search)));
  update();
}
