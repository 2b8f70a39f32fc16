//! Ids from one RNG seeded by `--seed`, so a fixed seed gives the same ids (and the same journal) every run.
//! Sequence counters (`vm-42`) live in a store table so that reset and the state file bring them back too.

use std::sync::{Arc, Mutex};

use rand::{rngs::StdRng, Rng, RngCore, SeedableRng};

use super::store::{Store, Table};

pub struct Ids {
    rng: Mutex<StdRng>,
    counters: Arc<Table<u64>>,
}

const COUNTER_TENANT: &str = "_counters";

impl Ids {
    pub fn new(seed: Option<u64>, store: &Store) -> Ids {
        let rng = match seed {
            Some(s) => StdRng::seed_from_u64(s),
            None => StdRng::from_entropy(),
        };
        Ids { rng: Mutex::new(rng), counters: store.table("core.counters") }
    }

    /// Runs `f` on the seeded RNG (scenario probabilities and jitter draw from it too).
    pub fn with_rng<R>(&self, f: impl FnOnce(&mut StdRng) -> R) -> R {
        let mut rng = self.rng.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut rng)
    }

    /// Replaces the RNG with one seeded by `seed` (a scenario may set the seed).
    pub fn reseed(&self, seed: u64) {
        *self.rng.lock().unwrap_or_else(|e| e.into_inner()) = StdRng::seed_from_u64(seed);
    }

    pub fn bytes<const N: usize>(&self) -> [u8; N] {
        let mut b = [0u8; N];
        self.with_rng(|r| r.fill_bytes(&mut b));
        b
    }

    /// 32 lowercase hex digits, no dashes (ZStack uuids, Keystone token ids).
    pub fn hex32(&self) -> String {
        hex::encode(self.bytes::<16>())
    }

    /// An RFC 4122 version-4 uuid, `8-4-4-4-12`.
    pub fn uuid(&self) -> String {
        let mut b = self.bytes::<16>();
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let h = hex::encode(b);
        format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
    }

    /// `n` random characters from `alphabet`.
    pub fn token(&self, alphabet: &[u8], n: usize) -> String {
        self.with_rng(|r| (0..n).map(|_| alphabet[r.gen_range(0..alphabet.len())] as char).collect())
    }

    /// A uniform draw in [0, 1).
    pub fn unit(&self) -> f64 {
        self.with_rng(|r| r.gen::<f64>())
    }

    /// The next number of a named sequence, starting above `floor` (fixtures hold the numbers up to it).
    pub fn next_seq(&self, name: &str, floor: u64) -> u64 {
        let next = self.counters.update(COUNTER_TENANT, name, |n| {
            *n += 1;
            *n
        });
        match next {
            Some(n) if n > floor => n,
            _ => {
                let n = floor + 1;
                self.counters.insert(COUNTER_TENANT, name, n);
                n
            }
        }
    }
}
