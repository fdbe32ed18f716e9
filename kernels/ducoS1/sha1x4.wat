;; DUCO-S1: the one-block SHA-1 (FIPS 180-4 §6.1.2) of four nonces at once, lane L
;; holding decade L of a 40-nonce group, so that all lanes share the last digit and
;; only one message word changes per step. Rounds 0..9 (the last_hash prefix) are
;; done once per unit in JS; the share test runs on a_76 (h4 = rotl30(a_76) + H4),
;; skipping rounds 76..79 on the ~2^-32-likely miss.
;;
;; Memory:
;;   0 .. 255      message words W0..W15, one v128 per word (lane = decade)
;;   256 .. 275    a..e after round 9          276  want a_76
;;   280 .. 295    round constants K0..K3 (a parameter only so tests can break them)
;;   512 .. 1727   schedule W0..W75 for the nonce being hashed
;; Build: npm run build:wasm:duco; test/kernels/ducoS1Wasm.test.ts fails when
;; sha1x4.wasm and this file disagree.
(module
  (memory (export "memory") 1)

  ;; Hashes the digits 0..9 of the group in order, adding $inc (the last digit's
  ;; place value in its word) to the word at byte offset $last after each one.
  ;; Returns 1 as soon as any lane's a_76 matches (the caller re-checks the group),
  ;; else 0.
  (func (export "scan40") (param $last i32) (param $inc i32) (result i32)
    (local $digit i32) (local $p i32)
    (local $a v128) (local $b v128) (local $c v128) (local $d v128) (local $e v128)
    (local $t v128) (local $k v128) (local $x v128)
    (local.set $digit (i32.const 10))
    (loop $nonce
      (local.set $p (i32.const 0))
      (loop $copy
        (v128.store offset=512 (local.get $p) (v128.load (local.get $p)))
        (br_if $copy (i32.ne (local.tee $p (i32.add (local.get $p) (i32.const 16))) (i32.const 256))))
      ;; W_t = rotl1(W_t-3 ^ W_t-8 ^ W_t-14 ^ W_t-16) for t = 16..75; $p = 16·t.
      (loop $schedule
        (local.set $x (v128.xor (v128.xor (v128.load offset=464 (local.get $p)) (v128.load offset=384 (local.get $p)))
                                (v128.xor (v128.load offset=288 (local.get $p)) (v128.load offset=256 (local.get $p)))))
        (v128.store offset=512 (local.get $p) (v128.or (i32x4.shl (local.get $x) (i32.const 1)) (i32x4.shr_u (local.get $x) (i32.const 31))))
        (br_if $schedule (i32.ne (local.tee $p (i32.add (local.get $p) (i32.const 16))) (i32.const 1216))))
      (local.set $a (i32x4.splat (i32.load offset=256 (i32.const 0))))
      (local.set $b (i32x4.splat (i32.load offset=260 (i32.const 0))))
      (local.set $c (i32x4.splat (i32.load offset=264 (i32.const 0))))
      (local.set $d (i32x4.splat (i32.load offset=268 (i32.const 0))))
      (local.set $e (i32x4.splat (i32.load offset=272 (i32.const 0))))
      ;; Rounds 10..19: Ch(b, c, d) is exactly bitselect(c, d, b).
      (local.set $k (i32x4.splat (i32.load offset=280 (i32.const 0))))
      (local.set $p (i32.const 160))
      (loop $ch
        (local.set $t (i32x4.add (i32x4.add (v128.or (i32x4.shl (local.get $a) (i32.const 5)) (i32x4.shr_u (local.get $a) (i32.const 27)))
                                            (v128.bitselect (local.get $c) (local.get $d) (local.get $b)))
                                 (i32x4.add (i32x4.add (local.get $e) (local.get $k)) (v128.load offset=512 (local.get $p)))))
        (local.set $e (local.get $d))
        (local.set $d (local.get $c))
        (local.set $c (v128.or (i32x4.shl (local.get $b) (i32.const 30)) (i32x4.shr_u (local.get $b) (i32.const 2))))
        (local.set $b (local.get $a))
        (local.set $a (local.get $t))
        (br_if $ch (i32.ne (local.tee $p (i32.add (local.get $p) (i32.const 16))) (i32.const 320))))
      ;; Rounds 20..39: Parity.
      (local.set $k (i32x4.splat (i32.load offset=284 (i32.const 0))))
      (loop $parity1
        (local.set $t (i32x4.add (i32x4.add (v128.or (i32x4.shl (local.get $a) (i32.const 5)) (i32x4.shr_u (local.get $a) (i32.const 27)))
                                            (v128.xor (v128.xor (local.get $b) (local.get $c)) (local.get $d)))
                                 (i32x4.add (i32x4.add (local.get $e) (local.get $k)) (v128.load offset=512 (local.get $p)))))
        (local.set $e (local.get $d))
        (local.set $d (local.get $c))
        (local.set $c (v128.or (i32x4.shl (local.get $b) (i32.const 30)) (i32x4.shr_u (local.get $b) (i32.const 2))))
        (local.set $b (local.get $a))
        (local.set $a (local.get $t))
        (br_if $parity1 (i32.ne (local.tee $p (i32.add (local.get $p) (i32.const 16))) (i32.const 640))))
      ;; Rounds 40..59: Maj(b, c, d) is b where b = c, else d: bitselect(d, b, b ^ c).
      (local.set $k (i32x4.splat (i32.load offset=288 (i32.const 0))))
      (loop $maj
        (local.set $t (i32x4.add (i32x4.add (v128.or (i32x4.shl (local.get $a) (i32.const 5)) (i32x4.shr_u (local.get $a) (i32.const 27)))
                                            (v128.bitselect (local.get $d) (local.get $b) (v128.xor (local.get $b) (local.get $c))))
                                 (i32x4.add (i32x4.add (local.get $e) (local.get $k)) (v128.load offset=512 (local.get $p)))))
        (local.set $e (local.get $d))
        (local.set $d (local.get $c))
        (local.set $c (v128.or (i32x4.shl (local.get $b) (i32.const 30)) (i32x4.shr_u (local.get $b) (i32.const 2))))
        (local.set $b (local.get $a))
        (local.set $a (local.get $t))
        (br_if $maj (i32.ne (local.tee $p (i32.add (local.get $p) (i32.const 16))) (i32.const 960))))
      ;; Rounds 60..75: Parity.
      (local.set $k (i32x4.splat (i32.load offset=292 (i32.const 0))))
      (loop $parity2
        (local.set $t (i32x4.add (i32x4.add (v128.or (i32x4.shl (local.get $a) (i32.const 5)) (i32x4.shr_u (local.get $a) (i32.const 27)))
                                            (v128.xor (v128.xor (local.get $b) (local.get $c)) (local.get $d)))
                                 (i32x4.add (i32x4.add (local.get $e) (local.get $k)) (v128.load offset=512 (local.get $p)))))
        (local.set $e (local.get $d))
        (local.set $d (local.get $c))
        (local.set $c (v128.or (i32x4.shl (local.get $b) (i32.const 30)) (i32x4.shr_u (local.get $b) (i32.const 2))))
        (local.set $b (local.get $a))
        (local.set $a (local.get $t))
        (br_if $parity2 (i32.ne (local.tee $p (i32.add (local.get $p) (i32.const 16))) (i32.const 1216))))
      (if (v128.any_true (i32x4.eq (local.get $a) (i32x4.splat (i32.load offset=276 (i32.const 0)))))
        (then (return (i32.const 1))))
      (v128.store (local.get $last) (i32x4.add (v128.load (local.get $last)) (i32x4.splat (local.get $inc))))
      (br_if $nonce (local.tee $digit (i32.sub (local.get $digit) (i32.const 1)))))
    (i32.const 0))
)
