-- Asymmetric signing keys (LATCHKEY_JWT_ALG ES256 or EdDSA), shared by every
-- instance. Their states (next, active, retired, gone) are not stored: every
-- instance derives them from these times, so all agree without coordination.
create table signing_keys (
  -- The RFC 7638 thumbprint of the public key: the JWT header's kid.
  kid text primary key,
  alg text not null check (alg in ('ES256', 'EdDSA')),
  created_at timestamptz not null,
  -- Fixed at creation: at least the publish delay after created_at, except
  -- for the first key, which signs at once.
  activates_at timestamptz not null,
  -- AES-256-GCM under a key derived from the JWT secret, the kid and algorithm
  -- bound as associated data: a dump of this table signs nothing. The first
  -- byte is the format version; an unencrypted PKCS#8 key (a DER SEQUENCE,
  -- 0x30) can never be stored here by mistake.
  sealed_private_key bytea not null
    check (octet_length(sealed_private_key) > 28 and get_byte(sealed_private_key, 0) <> 48),
  public_key bytea not null
);
