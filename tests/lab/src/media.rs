//! The far end's media for the provider emulators, one str0m peer per call leg
//! (`callscope-rtc-peer`): it answers the browser's offer for outgoing calls, and offers itself
//! for incoming calls and re-attaches, then echoes, silences or drops the audio.

use std::sync::Arc;

use callscope_rtc_peer::{MediaMode, PeerEvent, RunEnd, Session};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Where a leg reports what it sees (ICE, DTLS, packet counters, a lost path).
pub type MediaEvents = Arc<dyn Fn(PeerEvent) + Send + Sync>;

/// A running media leg. Dropping it (or [`MediaLeg::stop`]) stops the peer, which reports its
/// last counters as it goes.
pub struct MediaLeg {
    stop: Option<oneshot::Sender<()>>,
    _task: JoinHandle<()>,
}

impl MediaLeg {
    fn run(session: Session, events: MediaEvents) -> MediaLeg {
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(async move {
            let sink = Arc::clone(&events);
            if let RunEnd::PathLost(why) = session.run(move |event| sink(event), stopped).await {
                events(PeerEvent::Error { message: why });
            }
        });
        MediaLeg { stop: Some(stop), _task: task }
    }

    pub fn stop(self) {
        drop(self);
    }
}

impl Drop for MediaLeg {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Answers the client's offer (outgoing calls). Returns the answer SDP and the running leg.
pub fn answer(offer: &str, mode: MediaMode, events: MediaEvents) -> Result<(String, MediaLeg), String> {
    let session = callscope_rtc_peer::answer(offer, mode)?;
    let answer_sdp = session.answer_sdp.clone();
    Ok((answer_sdp, MediaLeg::run(session, events)))
}

/// The network's offer, waiting for the client's answer.
pub struct Offer {
    pub sdp: String,
    pending: callscope_rtc_peer::PendingOffer,
}

/// Makes an audio offer (incoming calls, re-attach). `Unreachable` is not offered: a call the
/// network places always has media it can reach.
pub fn offer(mode: MediaMode) -> Result<Offer, String> {
    if mode == MediaMode::Unreachable {
        return Err("an offered leg cannot be unreachable".into());
    }
    let pending = callscope_rtc_peer::offer(mode)?;
    Ok(Offer { sdp: pending.offer_sdp.clone(), pending })
}

impl Offer {
    /// Applies the client's answer and starts the media.
    pub fn accept(self, answer_sdp: &str, events: MediaEvents) -> Result<MediaLeg, String> {
        Ok(MediaLeg::run(self.pending.accept(answer_sdp)?, events))
    }
}
