"""Turns at an artifact: writers of one artifact in one process go one at a time, first come
first served, and a key with nobody left holds no memory."""

from __future__ import annotations

import asyncio

from glaregraph.catalog.turns import Turns


async def test_writers_of_one_key_take_turns_in_arrival_order_and_others_do_not_wait():
    turns = Turns()
    order: list[str] = []
    inside = 0
    most = 0

    async def writer(key: str, name: str) -> None:
        nonlocal inside, most
        async with turns.take(key):
            inside += 1
            most = max(most, inside) if key == "a" else most
            order.append(name)
            await asyncio.sleep(0.01)
            inside -= 1

    first = asyncio.create_task(writer("a", "a1"))
    await asyncio.sleep(0)  # a1 holds the turn
    others = [asyncio.create_task(writer("a", f"a{i}")) for i in range(2, 6)]
    other_key = asyncio.create_task(writer("b", "b1"))
    await asyncio.wait_for(other_key, 0.5)
    assert order[:2] == ["a1", "b1"]  # b did not wait for a's turns to pass
    await asyncio.gather(first, *others)
    assert [n for n in order if n.startswith("a")] == ["a1", "a2", "a3", "a4", "a5"]
    assert most == 1
    assert len(turns) == 0


async def test_a_failing_holder_passes_the_turn_on():
    turns = Turns()

    async def failing() -> None:
        async with turns.take("a"):
            raise RuntimeError("mutation failed")

    async def next_one() -> str:
        async with turns.take("a"):
            return "ran"

    failed = asyncio.create_task(failing())
    waiting = asyncio.create_task(next_one())
    assert isinstance((await asyncio.gather(failed, return_exceptions=True))[0], RuntimeError)
    assert await asyncio.wait_for(waiting, 0.5) == "ran"
    assert len(turns) == 0
