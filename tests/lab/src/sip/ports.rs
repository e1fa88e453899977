//! Ports for one lab run: a block of consecutive ports held by an advisory lock for as long as the
//! run lives, so that two runs (in one process or in two) never hand out the same port or overlap
//! their media ranges.
//!
//! Blocks sit below Linux's ephemeral range (32768+), where the kernel never picks ports on its own.
//! The lock is `flock` on a file per block in the temp directory: the kernel drops it when the owning
//! process dies, so a crashed run never leaves a block taken.

use std::fs::{File, OpenOptions};
use std::net::{Ipv4Addr, TcpListener, UdpSocket};
use std::os::fd::AsRawFd;
use std::path::PathBuf;

use super::LabError;

const FIRST_PORT: u16 = 20_000;
const BLOCK_SIZE: u16 = 400;
const BLOCKS: u16 = 30;

/// Where each service of one run listens. Single ports sit at the start of the block, then the
/// ranges: rtpengine's media, coturn's relays, baresip's RTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ports {
    pub sip: u16,
    pub ws: u16,
    pub wss: u16,
    pub rtpengine_ng: u16,
    pub turn: u16,
    pub turn_tls: u16,
    /// Inside the block but never bound: the "next hop is silent" target.
    pub silent_hop: u16,
    /// baresip ports, four per far end, from here on: SIP (UDP and TCP), SIP over TLS (baresip
    /// always opens SIP+1), control.
    pub baresip_first: u16,
    pub media: (u16, u16),
    pub turn_relay: (u16, u16),
    pub baresip_rtp_first: u16,
}

/// Ports of one far end (baresip instance `index`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BaresipPorts {
    pub sip: u16,
    pub ctrl: u16,
    pub rtp: (u16, u16),
}

const BARESIP_RTP_PORTS: u16 = 30;

impl Ports {
    fn in_block(first: u16) -> Ports {
        Ports {
            sip: first,
            ws: first + 1,
            wss: first + 2,
            rtpengine_ng: first + 3,
            turn: first + 4,
            turn_tls: first + 6,
            silent_hop: first + 8,
            baresip_first: first + 10,
            media: (first + 100, first + 199),
            turn_relay: (first + 200, first + 299),
            baresip_rtp_first: first + 300,
        }
    }

    pub fn baresip(&self, index: u16) -> BaresipPorts {
        assert!(index < 3, "the block has room for three baresip far ends");
        let rtp_first = self.baresip_rtp_first + index * BARESIP_RTP_PORTS;
        BaresipPorts {
            sip: self.baresip_first + 4 * index,
            ctrl: self.baresip_first + 4 * index + 2,
            rtp: (rtp_first, rtp_first + BARESIP_RTP_PORTS - 1),
        }
    }

    /// Ports something must bind: each is checked free on TCP and UDP before the block is taken.
    fn bound(&self) -> Vec<u16> {
        let mut ports = vec![self.sip, self.ws, self.wss, self.rtpengine_ng, self.turn, self.turn_tls, self.silent_hop];
        for index in 0..3 {
            let far_end = self.baresip(index);
            ports.extend([far_end.sip, far_end.sip + 1, far_end.ctrl]);
        }
        ports
    }
}

/// A block of ports, reserved until dropped.
#[derive(Debug)]
pub struct PortBlock {
    ports: Ports,
    _lock: File,
}

impl PortBlock {
    /// Takes the first block that no other run holds and whose fixed ports are free right now.
    pub fn reserve() -> Result<PortBlock, LabError> {
        let dir = std::env::temp_dir().join("callscope-lab-ports");
        std::fs::create_dir_all(&dir).map_err(|e| LabError::io("create the port lock directory", &dir, e))?;
        for block in 0..BLOCKS {
            let first = FIRST_PORT + block * BLOCK_SIZE;
            let path = dir.join(format!("block-{first}.lock"));
            let lock = open_lock(&path)?;
            if !try_flock(&lock) {
                continue;
            }
            let ports = Ports::in_block(first);
            if ports.bound().iter().all(|&port| is_free(port)) {
                return Ok(PortBlock { ports, _lock: lock });
            }
        }
        Err(LabError::NoFreePorts { first: FIRST_PORT, last: FIRST_PORT + BLOCKS * BLOCK_SIZE - 1 })
    }

    pub fn ports(&self) -> &Ports {
        &self.ports
    }
}

fn open_lock(path: &PathBuf) -> Result<File, LabError> {
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| LabError::io("open a port lock", path, e))
}

/// An exclusive, non-blocking `flock`. It belongs to this open file, so a second open of the same
/// path (another run in this very process) is refused as well.
fn try_flock(file: &File) -> bool {
    // SAFETY: flock on a file descriptor we own; no memory is shared with the kernel.
    unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) == 0 }
}

fn is_free(port: u16) -> bool {
    TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok() && UdpSocket::bind((Ipv4Addr::LOCALHOST, port)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_reservations_get_different_blocks() {
        let first = PortBlock::reserve().unwrap();
        let second = PortBlock::reserve().unwrap();
        assert_ne!(first.ports().sip, second.ports().sip);
        assert!(first.ports().sip.abs_diff(second.ports().sip) >= BLOCK_SIZE);
    }

    #[test]
    fn a_held_lock_is_refused_even_in_the_same_process_and_free_again_once_dropped() {
        let dir = std::env::temp_dir().join(format!("callscope-lab-lock-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("block.lock");
        let held = open_lock(&path).unwrap();
        assert!(try_flock(&held));
        assert!(!try_flock(&open_lock(&path).unwrap()));
        drop(held);
        assert!(try_flock(&open_lock(&path).unwrap()));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn ranges_stay_inside_the_block_and_do_not_overlap() {
        let ports = Ports::in_block(FIRST_PORT);
        let last_far_end = ports.baresip(2);
        assert!(ports.bound().iter().all(|&p| p < ports.media.0));
        assert!(ports.media.1 < ports.turn_relay.0);
        assert!(ports.turn_relay.1 < ports.baresip_rtp_first);
        assert!(last_far_end.rtp.1 < FIRST_PORT + BLOCK_SIZE);
        assert!(ports.baresip(0).rtp.1 < ports.baresip(1).rtp.0);
    }
}
