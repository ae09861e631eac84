import { Body, Controller, Get, Header, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../../infrastructure/access/access.js';
import { FacebookActivationService, type PopupAnswer } from './facebook-activation.service.js';
import { POPUP_SCRIPT } from './popup-pages.js';

/**
 * The popup's pages. Public: the browser reaches them by Facebook's redirect, without Parley's
 * token; the signed single-use state (then the random pick id) is what authorises each step.
 */
@Controller('facebook')
@Public()
export class FacebookActivationController {
  constructor(private readonly activation: FacebookActivationService) {}

  @Get('callback')
  async callback(@Query() query: Record<string, unknown>, @Res() res: Response) {
    send(res, await this.activation.callback(query));
  }

  @Post('callback/pages')
  async choosePage(@Body() body: Record<string, unknown>, @Res() res: Response) {
    send(res, await this.activation.choosePage(body ?? {}));
  }

  /** The popup's only script, served as a file because the CSP refuses inline scripts. */
  @Get('popup.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  @Header('cache-control', 'public, max-age=300')
  script(): string {
    return POPUP_SCRIPT;
  }
}

function send(res: Response, answer: PopupAnswer) {
  res
    .status(answer.status)
    .set({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      // The popup arrives here from facebook.com and must keep `window.opener` (the console) to
      // post the result; a stricter opener policy would put it in another browsing context group.
      'cross-origin-opener-policy': 'unsafe-none',
    })
    .send(answer.html);
}
