// Every screen by route name, and the order of the navigation bar.

import login from "./login.js";
import register from "./register.js";
import qrLogin from "./qrlogin.js";
import scan from "./scan.js";
import home from "./home.js";
import topup from "./topup.js";
import withdraw from "./withdraw.js";
import pay from "./pay.js";
import payQr from "./payqr.js";
import transfer from "./transfer.js";
import cards from "./cards.js";
import security from "./security.js";
import history from "./history.js";
import statement from "./statement.js";
import privacy from "./privacy.js";
import wealth from "./wealth.js";
import help from "./help.js";
import merchant from "./merchant.js";
import merchantApi from "./merchantapi.js";
import payCode from "./paycode.js";
import staff from "../staff/index.js";
import redPackets from "./redpackets.js";
import redPacket from "./redpacket.js";
import payRequests from "./payrequests.js";

export const SCREENS = Object.fromEntries(
  [login, register, qrLogin, scan, home, topup, withdraw, pay, payQr, transfer, cards, security, privacy, history, statement, wealth, help, merchant, merchantApi, payCode, staff, redPackets, redPacket, payRequests]
    .map((screen) => [screen.name, screen]));

export const NAV_SIGNED_OUT = ["login", "register", "qr-login"];
export const NAV_SIGNED_IN = ["home", "pay", "transfer", "red-packets", "pay-requests", "history", "statement", "wealth", "cards", "security", "scan", "help", "pay-code", "merchant", "merchant-api", "staff"];
