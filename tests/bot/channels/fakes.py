"""What the channel tests talk to: a recording fake of Rasa, and one HTTP request."""

import asyncio

import aiohttp


class FakeRasa:
    """Stands in for Rasa's on_new_message: records every turn, answers after `delay`."""

    def __init__(self, delay=0.0, answer=None):
        self.turns = []
        self.delay = delay
        self.answer = answer or (lambda text: [f"收到：{text}"])

    async def __call__(self, message):
        self.turns.append((message.sender_id, message.text))
        await asyncio.sleep(self.delay)
        for text in self.answer(message.text):
            await message.output_channel.send_text_message(message.sender_id, text)


async def http(method: str, url: str, **kwargs):
    """(status, body text, headers) of one request."""
    async with aiohttp.ClientSession() as session:
        async with session.request(method, url, **kwargs) as response:
            return response.status, await response.text(), response.headers
