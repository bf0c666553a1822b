"""E-mails shaped like the ones mail clients send (Gmail, Apple Mail, Outlook, old Windows clients)."""

from __future__ import annotations

from caredesk.connectors.base import AccountConfig

BRAND = AccountConfig(
    account_id=3,
    workspace_id=1,
    network="email",
    handle="care@acme.example",
    platform_id=None,
    settings={"from_address": "care@acme.example"},
)

GMAIL_ALTERNATIVE = b"""\
Return-Path: <jane.doe@gmail.example>
Received: from mail-sor-f41.google.com (mail-sor-f41.google.com [209.85.220.41])
        by mx.acme.example with SMTPS id a1; Tue, 03 Jun 2025 09:15:02 -0700 (PDT)
MIME-Version: 1.0
References: <caredesk.7.a1b2@acme.example> <caredesk.9.c3d4@acme.example>
In-Reply-To: <caredesk.9.c3d4@acme.example>
From: Jane Doe <Jane.Doe@Gmail.Example>
Date: Tue, 3 Jun 2025 18:14:51 +0200
Message-ID: <CAJx9Q+Pq2bE1=xk@mail.gmail.com>
Subject: Re: Order #4411 never arrived
To: Acme Care <care@acme.example>
Content-Type: multipart/alternative; boundary="000000000000d1c5a80636ad7e9a"

--000000000000d1c5a80636ad7e9a
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

Still nothing here, and the tracking page says =E2=80=9Cdelivered=E2=80=9D.
Can you send a replacement?

On Mon, Jun 2, 2025 at 4:02=E2=80=AFPM Acme Care <care@acme.example>
wrote:

> Hi Jane, we're sorry about that. Could you check with your neighbours?
>
> Acme Care
>

--000000000000d1c5a80636ad7e9a
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

<div dir=3D"ltr">Still nothing here</div>

--000000000000d1c5a80636ad7e9a--
"""

HTML_ONLY_BASE64 = b"""\
From: "Ren\xc3\xa9 M." <rene@example.org>
To: care@acme.example
Subject: =?utf-8?q?Facture_incorrecte_=E2=80=94_commande_88?=
Date: Wed, 04 Jun 2025 10:00:00 +0000
Message-ID: <20250604100000.1234@example.org>
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: base64

PGh0bWw+PGhlYWQ+PHN0eWxlPnAge2NvbG9yOnJlZH08L3N0eWxlPjwvaGVhZD48Ym9keT48cD5C
b25qb3VyLDwvcD48cD5MYSBmYWN0dXJlIGVzdCBmYXVzc2UgJmFtcDsgZG91YmzDqWU8YnI+TWVy
Y2k8L3A+PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0PjwvYm9keT48L2h0bWw+
"""

LATIN1_OUTLOOK = b"""\
From: =?iso-8859-1?Q?J=FCrgen_M=FCller?= <juergen@example.de>
To: <care@acme.example>
Subject: =?iso-8859-1?Q?R=FCckerstattung?=
Date: Thu, 5 Jun 2025 08:30:00 +0200
Message-ID: <000001db1234$abcd$@example.de>
MIME-Version: 1.0
Content-Type: text/plain; charset="iso-8859-1"
Content-Transfer-Encoding: 8bit

Gr\xfc\xdfe, wo bleibt meine R\xfcckerstattung?

-----Original Message-----
From: Acme Care <care@acme.example>
Sent: Wednesday, June 4, 2025 5:00 PM
Subject: Re: R\xfcckerstattung

Wir pr\xfcfen das.
"""

NO_MESSAGE_ID = b"""\
From: bob@example.net
To: care@acme.example
Subject: hello
Date: Fri, 6 Jun 2025 12:00:00 +0000

Is anyone there?
"""

ATTACHMENT_ONLY_TEXT = b"""\
From: Carla <carla@example.com>
To: care@acme.example
Subject: receipt
Message-ID: <receipt-1@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

Receipt attached.
--b1
Content-Type: application/pdf; name="receipt.pdf"
Content-Disposition: attachment; filename="receipt.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--b1--
"""
